import Foundation
import PostgresNIO
import Store
import Vision

extension PostgresVisitorStore {
    /// Adds made-up people for `kiosk bench`: "Synthetic N" with one template each (from
    /// `embedding(N)`), in multi-row inserts of 1,000 people per transaction.
    public func insertSynthetic(people range: Range<Int>, embedding: (Int) -> Embedding, now: Date = Date()) throws(StoreError) {
        var start = range.lowerBound
        while start < range.upperBound {
            let batch = start..<min(start + 1000, range.upperBound)
            try connection.transaction { session in
                var binds = PostgresBindings(capacity: batch.count * 2)
                var rows: [String] = []
                for i in batch {
                    binds.append("Synthetic \(i)")
                    binds.append(UUID())
                    rows.append("($\(binds.count - 1), $\(binds.count))")
                }
                let ids = try session.rows(PostgresQuery(unsafeSQL: """
                    INSERT INTO person (name, uuid, created_at, consent_version)
                    SELECT name, uuid, now(), '1' FROM (VALUES \(rows.joined(separator: ","))) AS v(name, uuid) RETURNING id
                    """, binds: binds)).map { try $0.decode(Int64.self) }
                var templateBinds = PostgresBindings(capacity: ids.count * 2)
                var templateRows: [String] = []
                for (id, i) in zip(ids, batch) {
                    templateBinds.append(id)
                    templateBinds.append(ByteBuffer(bytes: embedding(i).bytes))
                    templateRows.append("($\(templateBinds.count - 1), $\(templateBinds.count))")
                }
                try session.execute(PostgresQuery(unsafeSQL: """
                    INSERT INTO face_template (person_id, embedding, model, quality, created_at, source)
                    SELECT id, embedding, '\(ModelFiles.embeddingModelID)', 1, now(), 'enrollment'
                    FROM (VALUES \(templateRows.joined(separator: ","))) AS v(id, embedding)
                    """, binds: templateBinds))
                try Self.trimChangeLog(session)
            }
            start = batch.upperBound
        }
    }
}
