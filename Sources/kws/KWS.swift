import ArgumentParser

@main
struct KWS: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kws",
    abstract: "Keyword spotting in fixed point: the same code on a microcontroller and on Linux.",
    subcommands: [
      Features.self, DetectCommand.self, ListenCommand.self, EvalCommand.self, InspectCommand.self,
      InferCommand.self, BenchCommand.self, PackModelCommand.self, ValidateCommand.self,
    ]
  )
}
