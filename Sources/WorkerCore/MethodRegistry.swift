/// Every method the worker answers, in the order `initialize` lists them. One file per
/// method under `Methods/`; the specification is Protocol/README.md.
enum MethodRegistry {
  static let all: [MethodSpec] = [
    InitializeMethod.spec,
    TrainMethod.spec,
    SegmentMethod.spec,
    WeightMapMethod.spec,
    EvaluateMethod.spec,
    GenerateMethod.spec,
    ModelInfoMethod.spec,
    ExportMethod.spec,
    StatusMethod.spec,
    CancelMethod.spec,
    ShutdownMethod.spec,
  ]
}
