// swift-tools-version:6.0
import PackageDescription

// Native libraries come from Debian packages (installed by scripts/setup):
// libdlib-dev, libopenblas-dev, liblapack-dev, libturbojpeg0-dev, libpng-dev.
// dlib is linked by explicit library names: with `pkgConfig: "dlib-1"` SwiftPM drops
// the absolute library paths that Debian's dlib-1.pc lists, and the link fails.
let package = Package(
    name: "kiosk",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kiosk", targets: ["Kiosk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // dlib behind a plain C header. -O2 always: at -O0 dlib's HOG templates are ~100x slower.
        .target(
            name: "CDlibShim",
            cxxSettings: [
                .unsafeFlags(["-O2", "-fno-math-errno"]),
                .define("DLIB_NO_GUI_SUPPORT"),
            ],
            linkerSettings: [
                .linkedLibrary("dlib"),
                .linkedLibrary("openblas"),
                .linkedLibrary("lapack"),
                .linkedLibrary("pthread"),
                .linkedLibrary("m"),
            ]
        ),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .target(
            name: "CPNGShim",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("png16")]
        ),
        .target(
            name: "CNcursesShim",
            linkerSettings: [.linkedLibrary("ncursesw")]
        ),
        .target(
            name: "CGalleryScan",
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        .target(
            name: "CV4L2Shim",
            linkerSettings: [.linkedLibrary("v4lconvert")]
        ),
        .target(
            name: "Vision",
            dependencies: [
                "CDlibShim", "CTurboJPEG", "CPNGShim", "COpenBLAS", "CV4L2Shim", "CGalleryScan",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
        ),
        .target(
            name: "Store",
            dependencies: ["Vision", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The front desk's work, shared by the CLI and the TUI: decide on a face, commit
        // the decision, keep the gallery and settings current, queue what cannot be written.
        .target(
            name: "DeskCore",
            dependencies: [
                "Vision", "Store",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The visitor store on a PostgreSQL server that several desks share: the same
        // behaviour as SQLite's, plus live sync (LISTEN/NOTIFY over a change log).
        .target(
            name: "ServerStore",
            dependencies: [
                "DeskCore", "Store", "Vision",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "Kiosk",
            dependencies: [
                "DeskCore", "ServerStore", "Vision", "Store", "COpenBLAS", "CNcursesShim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "VisionTests", dependencies: ["Vision"]),
        .testTarget(
            name: "DeskCoreTests",
            dependencies: ["DeskCore", "Store", "Vision", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Vision", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "KioskTests",
            dependencies: ["Kiosk", "DeskCore", "Store", "Vision", "PostgresTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Starts a real PostgreSQL server (scripts/pg-test-server) for the tests that need one.
        .target(name: "PostgresTestSupport", path: "Tests/PostgresTestSupport"),
        .testTarget(
            name: "ServerStoreTests",
            dependencies: ["ServerStore", "DeskCore", "Store", "Vision", "PostgresTestSupport",
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
