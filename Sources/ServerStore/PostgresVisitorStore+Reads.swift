import DeskCore
import Foundation
import PostgresNIO
import Store

/// The staff pages' lists, paged on the server.
extension PostgresVisitorStore {
    public func people(_ filter: ListFilter, limit: Int?, offset: Int) throws -> [PersonSummary] {
        try connection.withSession { session in
            var binds = PostgresBindings()
            func bind(_ value: some PostgresDynamicTypeEncodable) -> String { binds.append(value); return "$\(binds.count)" }
            var conditions: [String] = []
            if let name = filter.name { conditions.append("strpos(lower(person.name), lower(\(bind(name)))) > 0") }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            var sql: String
            if filter.since == nil && filter.until == nil {
                sql = """
                    SELECT person.id, person.name, person.created_at, person.consent_version,
                           (SELECT COUNT(*) FROM visit WHERE visit.person_id = person.id),
                           (SELECT MAX(time) FROM visit WHERE visit.person_id = person.id)
                    FROM person \(whereClause)
                    ORDER BY lower(person.name), person.id
                    """
            } else {
                var having: [String] = []
                if let since = filter.since { having.append("MAX(visit.time) >= \(bind(since))") }
                if let until = filter.until { having.append("MAX(visit.time) < \(bind(until))") }
                sql = """
                    SELECT person.id, person.name, person.created_at, person.consent_version, COUNT(visit.id), MAX(visit.time)
                    FROM person LEFT JOIN visit ON visit.person_id = person.id \(whereClause)
                    GROUP BY person.id HAVING \(having.joined(separator: " AND "))
                    ORDER BY lower(person.name), person.id
                    """
            }
            if let limit { sql += " LIMIT \(bind(Int64(limit)))" }
            sql += " OFFSET \(bind(Int64(offset)))"
            let rows = try session.rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
                try row.decode((Int64, String, Date, String?, Int64, Date?).self)
            }
            // The page's preferences in one query, not one per person.
            var preferences: [Int64: [(String, String)]] = [:]
            if !rows.isEmpty {
                for row in try session.rows("""
                    SELECT person_id, key, value FROM preference WHERE person_id = ANY(\(rows.map(\.0))) ORDER BY person_id, position
                    """) {
                    let (personId, key, value) = try row.decode((Int64, String, String).self)
                    preferences[personId, default: []].append((key, value))
                }
            }
            return rows.map { id, name, createdAt, consentVersion, visitCount, lastVisit in
                let own = preferences[id] ?? []
                return PersonSummary(id: id, name: name, createdAt: createdAt, visitCount: Int(visitCount), lastVisit: lastVisit,
                                     preferences: Dictionary(own, uniquingKeysWith: { a, _ in a }), preferenceOrder: own.map(\.0),
                                     consentVersion: consentVersion)
            }
        }
    }

    public func visits(_ filter: ListFilter, limit: Int?, offset: Int) throws -> [VisitEntry] {
        try connection.withSession { session in
            var binds = PostgresBindings()
            func bind(_ value: some PostgresDynamicTypeEncodable) -> String { binds.append(value); return "$\(binds.count)" }
            var conditions: [String] = []
            if let since = filter.since { conditions.append("visit.time >= \(bind(since))") }
            if let until = filter.until { conditions.append("visit.time < \(bind(until))") }
            if let name = filter.name { conditions.append("strpos(lower(person.name), lower(\(bind(name)))) > 0") }
            if let personId = filter.personId { conditions.append("visit.person_id = \(bind(personId))") }
            var sql = """
                SELECT visit.id, visit.person_id, person.name, visit.time, visit.kiosk_id, visit.distance
                FROM visit JOIN person ON person.id = visit.person_id
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY visit.time DESC, visit.id DESC
                """
            if let limit { sql += " LIMIT \(bind(Int64(limit)))" }
            sql += " OFFSET \(bind(Int64(offset)))"
            return try session.rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
                let (id, personId, name, time, kioskId, distance) = try row.decode((Int64, Int64, String, Date, String, Double?).self)
                return VisitEntry(id: id, personId: personId, name: name, time: time, kioskId: kioskId, distance: distance)
            }
        }
    }
}
