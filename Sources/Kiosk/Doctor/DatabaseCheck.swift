import DeskCore
import Foundation
import ServerStore
import Store

/// `kiosk doctor`'s look at the visitor database: the file, or the shared server's
/// connection, schema version and how quickly changes reach the other desks.
enum DatabaseCheck {
    static func run(_ global: GlobalOptions, into report: inout DoctorReport) {
        let target: GlobalOptions.DatabaseTarget
        do { target = try global.databaseTarget() } catch {
            report.fail("database", "\(error)", fix: "correct --db or [database] url", setup: false)
            return
        }
        switch target {
        case .file(let path, _):
            guard FileManager.default.fileExists(atPath: path) else {
                report.info("database", "\(path) (not created yet: the first enrollment creates it)")
                return
            }
            do {
                let database = try AppDatabase.open(path: path, createDirectory: false)
                report.pass("database", "\(path): \(try database.personCount()) people, schema current")
                pendingVisits(global, store: database, into: &report)
            } catch {
                report.fail("database", "\(error)", fix: "check the path, or restore the file from a backup", setup: false)
            }
        case let .server(address, passwordFile):
            let store: PostgresVisitorStore
            do { store = try global.openServer(address, passwordFile: passwordFile, checkSchema: false) } catch {
                report.fail("database server", "\(error)", fix: "check that the server runs and the URL and password file are right", setup: false)
                return
            }
            do {
                let health = try store.health()
                report.pass("database server", "\(address): PostgreSQL \(health.serverVersion), query round trip \(String(format: "%.2f ms", health.queryMilliseconds)), \(health.people) people, \(health.encrypted ? "TLS" : "not encrypted")")
                let applied = try store.appliedMigrations()
                let known = PostgresVisitorStore.knownMigrations
                if applied == known {
                    report.pass("database schema", "\(applied.count) of \(known.count) migrations applied")
                } else if applied.contains(where: { !known.contains($0) }) {
                    report.fail("database schema", "written by a newer kiosk", fix: "upgrade kiosk on this box", setup: false)
                } else {
                    report.fail("database schema", "\(known.count - applied.filter(known.contains).count) migrations missing",
                                fix: "kiosk db migrate --db \(address)", setup: false)
                }
                if let lag = health.notificationMilliseconds {
                    report.pass("sync", "a change reaches the other desks' listeners in \(String(format: "%.1f ms", lag)) (change log at \(health.latestChange))")
                } else {
                    report.warn("sync", "no change notification arrived within 2 s: desks will see changes only when they poll (every 0.5 s, and at each capture)")
                }
                pendingVisits(global, store: store, into: &report)
            } catch {
                report.fail("database server", "\(error)", fix: "check the server's log", setup: false)
            }
        }
    }

    /// Visits this box showed but has not written yet.
    private static func pendingVisits(_ global: GlobalOptions, store: any VisitorStore, into report: inout DoctorReport) {
        let waiting = global.pendingVisits(for: store).count
        if waiting == 0 {
            report.pass("pending visits", "none waiting")
        } else {
            report.warn("pending visits", "\(waiting) visits wait to be written (delivered when a desk or check-in next reaches the database)")
        }
    }
}
