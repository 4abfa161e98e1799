import ArgumentParser

/// `kiosk db ...`: looking after the visitor database itself.
struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Prepare a shared database server, or move visitor data between the SQLite file and a server.",
        discussion: """
            A desk keeps its visitors in an SQLite file unless --db (or [database] url in the \
            configuration) names a PostgreSQL server that several desks share. See the README \
            for setting up such a server.
            """,
        subcommands: [DbMigrateCommand.self, DbCopyCommand.self]
    )
}
