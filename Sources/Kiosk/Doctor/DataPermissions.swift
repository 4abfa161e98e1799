import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether the files holding visitors' faces and names are private to the kiosk's user:
/// the data directory and the database's directory 0700, the database and the files
/// kiosk keeps beside it 0600. Anything a group or other users may read, write or enter
/// is a problem `kiosk doctor` reports with the `chmod` that fixes it.
struct DataPermissions {
    struct Problem: Equatable {
        let path: String
        let mode: mode_t
        let isDirectory: Bool

        var detail: String {
            "\(path) is \(String(mode, radix: 8)): other users on this machine can "
                + (isDirectory ? "list or enter it" : "read or change it")
        }
        var fix: String { "chmod \(isDirectory ? "700" : "600") \(Self.shellQuoted(path))" }

        static func shellQuoted(_ path: String) -> String {
            path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0) }
                ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
    }

    /// The database file and what kiosk writes beside it (SQLite's -wal and -shm, the log
    /// and its rotations, the visits waiting to be written).
    static func companions(ofDatabase database: String) -> [String] {
        [database, database + "-wal", database + "-shm", database + ".pending-visits",
         database + ".log", database + ".log.1", database + ".log.2", database + ".log.3"]
    }

    /// The problems among `directories` and `files` that exist (missing ones are not a
    /// problem: kiosk creates them private).
    static func problems(directories: [String], files: [String]) -> [Problem] {
        var seen = Set<String>()
        var found: [Problem] = []
        for (path, isDirectory) in directories.map({ ($0, true) }) + files.map({ ($0, false) }) {
            guard seen.insert(path).inserted else { continue }
            var status = stat()
            // lstat: a symlink's own mode says nothing; what it points to is checked where it lives.
            guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFLNK else { continue }
            let mode = status.st_mode & 0o7777
            if mode & 0o077 != 0 {
                found.append(Problem(path: path, mode: mode, isDirectory: (status.st_mode & S_IFMT) == S_IFDIR))
            }
        }
        return found
    }
}
