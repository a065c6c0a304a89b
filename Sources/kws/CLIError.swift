// The one error type the commands throw: ArgumentParser prints its text on stderr
// ("Error: ...") and exits with status 1.

struct CLIError: Error, CustomStringConvertible {
  let description: String

  init(_ description: String) { self.description = description }
}
