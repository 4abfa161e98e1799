import ArgumentParser

@main
struct KioskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk",
        abstract: "A face-recognition front desk for the terminal.",
        discussion: """
            Everything runs on this machine: the camera, the dlib face models and the SQLite \
            visitor database. Models are installed by scripts/setup.

            Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 missing models or setup.
            """,
        version: KioskVersion.string,
        subcommands: [EncodeCommand.self, CompareCommand.self, DoctorCommand.self]
    )
}

enum KioskVersion {
    static let string = "0.1.0"
}
