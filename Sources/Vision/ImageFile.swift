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

    public static func readBytes(at path: String) throws(VisionError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .unreadableFile(path: path, reason: "it is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw .unreadableFile(path: path, reason: reason)
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw .unreadableFile(path: path, reason: "\(error)")
        }
    }

    /// Decodes `bytes` that came from `path` (the path only labels errors).
    public static func decode(_ bytes: [UInt8], path: String, jpeg: JPEGDecoder = JPEGDecoder()) throws(VisionError) -> Image {
        do {
            switch format(of: bytes) {
            case .jpeg: return try jpeg.decode(bytes)
            case .png: return try PNGDecoder.decode(bytes)
            case nil: throw VisionError.unsupportedImage(path: path)
            }
        } catch let failure as ImageDecodeFailure {
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

    public static func load(_ path: String) throws(VisionError) -> Image {
        try decode(try readBytes(at: path), path: path)
    }
}
