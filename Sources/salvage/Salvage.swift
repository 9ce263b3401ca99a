import ArgumentParser

@main
struct Salvage: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "salvage",
    abstract: "Bring a dead CockroachDB cluster's data back from the SST files left on its disks.",
    version: "0.1.0",
    subcommands: [SST.self, Store.self, KV.self, Schema.self, Rows.self, SurveyCommand.self, Recover.self, Verify.self, Plan.self, Finish.self, Report.self, BallastCommand.self, CarveCommand.self])
}

struct SST: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sst",
    abstract: "Read single table files (.sst) of RocksDB, LevelDB or Pebble.",
    subcommands: [SSTScan.self, SSTProperties.self, SSTCheck.self, SSTLayout.self])
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, jsonl
}
