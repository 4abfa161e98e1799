#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Loads photos from disk: reads the bytes, recognises JPEG or PNG by their signature
/// (not by the file name), decodes to RGB. Errors always name the file.
public enum ImageFile {
    public enum Format: Sendable { case jpeg, png }

    public static func format(of bytes: [UInt8]) -> Format? {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        if bytes.count >= 8, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        return nil
    }

    /// The file's bytes. Refuses, before reading anything, what is not a regular file
    /// (a directory, a FIFO that would block forever, `/dev/zero` that never ends) and
    /// files above `limits.maxFileBytes`. The file is opened non-blocking so opening a
    /// FIFO returns at once, and checked through the open descriptor (`fstat`), so it
    /// cannot be swapped between the check and the read.
    public static func readBytes(at path: String, limits: ImageLimits = .current) throws(VisionError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadableFile(path: path, reason: openFailure(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadableFile(path: path, reason: "it is a directory")
        case S_IFIFO: throw .unreadableFile(path: path, reason: "it is not a regular file (a FIFO)")
        case S_IFCHR, S_IFBLK: throw .unreadableFile(path: path, reason: "it is not a regular file (a device)")
        case S_IFSOCK: throw .unreadableFile(path: path, reason: "it is not a regular file (a socket)")
        default: throw .unreadableFile(path: path, reason: "it is not a regular file")
        }
        if let problem = limits.problem(fileBytes: Int(info.st_size)) { throw .imageTooLarge(path: path, reason: problem) }
        // At most limit + 1 bytes, whatever the size said: a file still growing stays bounded.
        let ceiling = limits.maxFileBytes + 1
        var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size) + 1, ceiling))
        var total = 0
        while total < ceiling {
            if total == bytes.count { bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, ceiling - bytes.count))) }
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + total, buffer.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            total += count
        }
        if let problem = limits.problem(fileBytes: total) { throw .imageTooLarge(path: path, reason: problem) }
        bytes.removeSubrange(total...)
        return bytes
    }

    private static func openFailure(_ code: Int32) -> String {
        switch code {
        case ENOENT, ENOTDIR: return "no such file"
        case EACCES, EPERM: return "permission denied"
        default: return String(cString: strerror(code))
        }
    }

    /// Decodes `bytes` that came from `path` (the path only labels errors).
    /// Images declaring more than `maxPixels` are refused from their header, before the
    /// pixels are allocated (`VisionError.imageTooLarge`).
    public static func decode(_ bytes: [UInt8], path: String, jpeg: JPEGDecoder = JPEGDecoder(),
                              maxPixels: Int = ImageLimits.current.maxPixels) throws(VisionError) -> Image {
        do {
            switch format(of: bytes) {
            case .jpeg: return try jpeg.decode(bytes, maxPixels: maxPixels)
            case .png: return try PNGDecoder.decode(bytes, maxPixels: maxPixels)
            case nil: throw VisionError.unsupportedImage(path: path)
            }
        } catch let failure as ImageDecodeFailure {
            if failure.tooLarge { throw .imageTooLarge(path: path, reason: failure.reason) }
            throw .corruptImage(path: path, reason: failure.reason)
        } catch let error as VisionError {
            throw error
        } catch {
            throw .corruptImage(path: path, reason: "\(error)")
        }
    }

    /// The JPEG and PNG files directly in `directory` (by extension), sorted by name,
    /// as full paths. Empty when the directory cannot be read.
    public static func photos(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { !$0.hasPrefix(".") && ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted().map { directory + "/" + $0 }
    }

    public static func load(_ path: String, limits: ImageLimits = .current) throws(VisionError) -> Image {
        try decode(try readBytes(at: path, limits: limits), path: path, maxPixels: limits.maxPixels)
    }
}
