import DeskCore
import Foundation
import PostgresTestSupport
import ServerStore
import Store
import Testing
import Vision

/// The two visitor stores, so that one behavioural suite runs on both: whatever a desk
/// does on the SQLite file it must be able to do, with the same result, on the server.
enum Backend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// A fresh, empty store of this kind (a new file, or a new database on the test server).
    func makeStore() throws -> any BackendStore {
        switch self {
        case .sqlite:
            let path = NSTemporaryDirectory() + "kiosk-backend-\(UUID().uuidString).sqlite"
            return try AppDatabase.open(path: path, createDirectory: false)
        case .postgres:
            let server = try TestServer.require()
            return try TestServer.freshStore(on: server)
        }
    }
}

/// A store the suite can also snapshot and restore (`db copy`).
protocol BackendStore: VisitorStore {
    func snapshot() throws(StoreError) -> DatabaseSnapshot
    func isEmpty() throws(StoreError) -> Bool
    func restore(_ snapshot: DatabaseSnapshot) throws(StoreError)
}

extension AppDatabase: BackendStore {}
extension PostgresVisitorStore: BackendStore {}

/// The shared test server, or why there is none.
enum TestServer {
    /// The shared server; when PostgreSQL cannot run here the test is skipped with the
    /// reason, unless the environment requires it (CI), where that is a failure.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> TestPostgres {
        switch TestPostgres.shared {
        case .success(let server): return server
        case .failure(let error):
            if TestPostgres.isRequired { throw error }
            throw SkipReason(description: "\(error)")
        }
    }

    /// A new database on `server`, migrated, opened as a desk opens it.
    static func freshStore(on server: TestPostgres) throws -> PostgresVisitorStore {
        let url = try server.createDatabase()
        let address = try ServerAddress.parse(url)
        let password = try ServerPassword.lookup(for: address, passwordFile: server.passwordFile)
        let admin = try PostgresVisitorStore(address: address, password: password, checkSchema: false)
        _ = try admin.migrate()
        return try PostgresVisitorStore(address: address, password: password)
    }

    /// Another connection to the same database: another desk.
    static func secondDesk(of store: PostgresVisitorStore, server: TestPostgres) throws -> PostgresVisitorStore {
        let password = try ServerPassword.lookup(for: store.address, passwordFile: server.passwordFile)
        return try PostgresVisitorStore(address: store.address, password: password)
    }
}

/// Thrown to skip a test whose server cannot run here; the message says why.
struct SkipReason: Error, CustomStringConvertible {
    let description: String
}

/// Deterministic embeddings at the scale of real dlib descriptors, far from one another.
struct Embeddings {
    var state: UInt64 = 7

    mutating func next() -> Embedding {
        Embedding((0..<128).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000 - 1000) / 10000
        })
    }

    /// `base` moved by about `distance`.
    mutating func near(_ base: Embedding, distance: Float) -> Embedding {
        let noise = next().values
        let norm = noise.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return Embedding(zip(base.values, noise).map { $0 + $1 / norm * distance })
    }
}

func enrollment(_ name: String, _ embeddings: [Embedding], preferences: [(key: String, value: String)] = [],
                thumbnail: [UInt8]? = nil, firstVisitKiosk: String? = nil) -> Enrollment {
    Enrollment(name: name, preferences: preferences, consentVersion: "1",
               templates: embeddings.map { .init(embedding: $0, quality: 0.9) }, thumbnailJPEG: thumbnail,
               firstVisitKiosk: firstVisitKiosk)
}

func visit(_ personId: Int64, at time: Date, cooldown: TimeInterval = 600, kiosk: String = "desk-a",
           lesson: VisitCommit.Lesson? = nil, id: UUID = UUID()) -> VisitCommit {
    VisitCommit(id: id, personId: personId, time: time, kioskId: kiosk, distance: 0.3, quality: 0.9, cooldown: cooldown, lesson: lesson)
}

/// Runs `body`, turning "no server here" into a recorded skip note instead of a failure.
func onEachBackend(_ backend: Backend, _ body: (any BackendStore) throws -> Void) throws {
    let store: any BackendStore
    do {
        store = try backend.makeStore()
    } catch let skip as SkipReason {
        print("SKIPPED on \(backend): \(skip)")
        return
    }
    try body(store)
}
