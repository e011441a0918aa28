import ImageOps
import JSONRPC

extension WeightMapParameters {
  /// The protocol's names of the weight-map settings, shared by `train`'s `config` and by
  /// `weight_map` (Protocol/README.md): `w0`, `sigma`, `class_balance`, `ignore_value`.
  static let protocolKeys = ["w0", "sigma", "class_balance", "ignore_value"]

  /// Overrides the settings given in `params`; bad values are -32602 naming the field.
  mutating func read(from params: ParamsReader) throws(RPCError) {
    w0 = Float(try params.optionalDouble("w0", in: 0...1000) ?? Double(w0))
    sigma = Float(try params.optionalDouble("sigma", in: 0.1...1000) ?? Double(sigma))
    classBalance = try params.optionalBool("class_balance") ?? classBalance
    if let ignore = try params.optionalInt("ignore_value", in: 1...Int(Int32.max)) {
      ignoreValue = Int32(ignore)
    }
  }
}
