// `dump <model.tflite> <settings.kwss>`: writes the model and the settings blob linked
// in flash (App/model.S) back to the host, byte for byte, so that `kws validate` runs
// the host on exactly what the firmware has, not on what a manifest says it should.
import CSupport

enum Dump {
  static func run(modelPath: UnsafePointer<CChar>, settingsPath: UnsafePointer<CChar>)
    throws(SemihostingError)
    -> CInt
  {
    let modelCount = Int(kws_model_byte_count())
    let settingsCount = Int(kws_settings_byte_count())
    guard modelCount > 0, settingsCount > 0 else {
      Console.write("error: no model linked; build with MODEL=path/to/manifest.json\n")
      return ExitStatus.usage
    }
    var model = try Semihosting.File(path: modelPath, mode: .writeBinary)
    try model.write(UnsafeRawBufferPointer(start: kws_model_bytes(), count: modelCount))
    model.close()
    var settings = try Semihosting.File(path: settingsPath, mode: .writeBinary)
    try settings.write(UnsafeRawBufferPointer(start: kws_settings_bytes(), count: settingsCount))
    settings.close()
    Console.write("model: ")
    Console.write(cString: kws_linked_model_name())
    Console.write("\nmodel bytes: ")
    Console.write(modelCount)
    Console.write("\nsettings bytes: ")
    Console.write(settingsCount)
    Console.write("\n")
    return ExitStatus.success
  }
}
