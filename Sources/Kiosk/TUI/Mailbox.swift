import Foundation

/// Results of background work, handed to the UI thread, which takes them each turn
/// of its loop. The only state shared between the UI thread and tasks.
final class Mailbox<Message: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Message] = []

    func post(_ message: Message) { lock.withLock { messages.append(message) } }

    func takeAll() -> [Message] {
        lock.withLock {
            defer { messages.removeAll() }
            return messages
        }
    }
}

/// A value shared with background tasks under a lock.
final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func update<T>(_ change: (inout Value) -> T) -> T { lock.withLock { change(&value) } }
}
