import Foundation
import Store

/// The visit log and the people list as CSV: one format for `kiosk visits|people
/// --format csv` and the staff view's export.
enum CSVExport {
    static func visits(_ visits: [VisitEntry]) -> String {
        CSV.document(headers: ["time", "name", "person_id", "kiosk", "distance"], rows: visits.map {
            [DateText.iso($0.time), $0.name, String($0.personId), $0.kioskId, $0.distance.map { String(format: "%.4f", $0) } ?? ""]
        })
    }

    static func people(_ people: [PersonSummary]) -> String {
        CSV.document(headers: ["id", "name", "enrolled", "visits", "last_visit", "preferences", "consent_version"], rows: people.map {
            [String($0.id), $0.name, DateText.iso($0.createdAt), String($0.visitCount), $0.lastVisit.map(DateText.iso) ?? "",
             preferenceText($0), $0.consentVersion ?? ""]
        })
    }

    /// "drink=oat latte; room=21 °C", in the order entered.
    static func preferenceText(_ person: PersonSummary) -> String {
        person.preferenceOrder.compactMap { key in person.preferences[key].map { "\(key)=\($0)" } }.joined(separator: "; ")
    }
}
