import Foundation
import GRDB
import Vision

extension AppDatabase {
    /// Fills the database with made-up people for `kiosk bench`: `people` people named
    /// "Synthetic N" with one template each (from `embedding(N)`) and `visitsPerPerson`
    /// visits spread over the past year. One transaction: seconds for 100k people.
    public func insertSynthetic(people: Int, visitsPerPerson: Int, embedding: (Int) -> Embedding,
                                now: Date = Date()) throws(StoreError) {
        try write { db in
            let person = try db.makeStatement(sql: "INSERT INTO person (name, createdAt, consentVersion) VALUES (?, ?, '1')")
            let template = try db.makeStatement(sql: """
                INSERT INTO faceTemplate (personId, embedding, model, quality, createdAt, source)
                VALUES (?, ?, ?, 1, ?, 'enrollment')
                """)
            let visit = try db.makeStatement(sql: "INSERT INTO visit (personId, time, kioskId, distance) VALUES (?, ?, 'bench', 0.3)")
            for i in 0..<people {
                let created = now.addingTimeInterval(-365 * 86_400)
                try person.execute(arguments: ["Synthetic \(i)", created])
                let id = db.lastInsertedRowID
                try template.execute(arguments: [id, Data(embedding(i).bytes), ModelFiles.embeddingModelID, created])
                for v in 0..<visitsPerPerson {
                    try visit.execute(arguments: [id, now.addingTimeInterval(-Double((i * 7 + v * 86_400) % (365 * 86_400)))])
                }
            }
            try Self.trimChangeLog(db)
        }
    }
}
