// swift-tools-version: 6.0
//
// The U-Net worker: the original U-Net (Ronneberger, Fischer, Brox 2015) as a headless
// worker that image tools drive over newline-delimited JSON-RPC 2.0 on stdin/stdout.
//
// CPU-specific compiler flags are passed by the Makefile, never here: a package with
// unsafe flags cannot be depended on by version.
import PackageDescription

let package = Package(
  name: "unet-worker",
  products: [
    .library(name: "NeuralCore", targets: ["NeuralCore"]),
    .library(name: "ImageOps", targets: ["ImageOps"]),
    .library(name: "Segmentation", targets: ["Segmentation"]),
    .library(name: "Evaluation", targets: ["Evaluation"]),
    .library(name: "SyntheticData", targets: ["SyntheticData"]),
    .executable(name: "unet-worker", targets: ["unet-worker"]),
    .executable(name: "unet-bench", targets: ["unet-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1")
  ],
  targets: [
    // Pure Swift, no Foundation, no C of our own, no I/O: tensors, layers, the U-Net, loss, optimisers.
    .target(
      name: "NeuralCore",
      dependencies: [.product(name: "RealModule", package: "swift-numerics")]),
    // Pure Swift image operations for training data: labels, borders, weight maps, augmentation.
    .target(name: "ImageOps", dependencies: ["NeuralCore"]),
    // Pure Swift overlap-tile inference and post-processing (mask, instances).
    .target(name: "Segmentation", dependencies: ["NeuralCore", "ImageOps"]),
    // Pure Swift segmentation metrics (foreground IoU, Rand error, SEG, F1).
    .target(name: "Evaluation", dependencies: ["NeuralCore", "ImageOps"]),
    // Pure Swift, seeded synthetic microscopy images with instance ground truth.
    .target(name: "SyntheticData", dependencies: ["NeuralCore", "ImageOps"]),
    // Pure Swift, no I/O: a trained U-Net as a bioimage.io model package (ONNX, .npy, YAML, PNG, zip).
    .target(name: "ModelExport", dependencies: ["NeuralCore", "ImageOps", "Segmentation", "SyntheticData"]),

    .systemLibrary(
      name: "CTIFF", pkgConfig: "libtiff-4",
      providers: [.apt(["libtiff-dev"]), .brew(["libtiff"])]),
    .systemLibrary(
      name: "CJSONC", pkgConfig: "json-c",
      providers: [.apt(["libjson-c-dev"]), .brew(["json-c"])]),
    // The only Swift that touches libtiff.
    .target(name: "TIFFSupport", dependencies: ["CTIFF"]),
    // The only Swift that touches json-c; knows JSON-RPC 2.0, not our methods.
    .target(name: "JSONRPC", dependencies: ["CJSONC"]),
    // Everything the executable does, behind a transport.
    .target(
      name: "WorkerCore",
      dependencies: [
        "NeuralCore", "ImageOps", "Segmentation", "Evaluation", "SyntheticData", "TIFFSupport",
        "JSONRPC", "ModelExport",
      ]),
    .executableTarget(name: "unet-worker", dependencies: ["WorkerCore"]),
    .executableTarget(name: "unet-bench", dependencies: ["NeuralCore", "Segmentation"]),
    // libFuzzer targets (TIFF reader, JSON-RPC lines and params, model files); `make fuzz`.
    .systemLibrary(name: "CLibFuzzer"),
    .executableTarget(
      name: "unet-fuzz", dependencies: ["TIFFSupport", "JSONRPC", "WorkerCore", "NeuralCore", "CLibFuzzer"]),

    .testTarget(name: "NeuralCoreTests", dependencies: ["NeuralCore"]),
    .testTarget(name: "ImageOpsTests", dependencies: ["ImageOps", "NeuralCore"]),
    .testTarget(name: "SegmentationTests", dependencies: ["Segmentation", "ImageOps", "NeuralCore"]),
    .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "ImageOps", "NeuralCore"]),
    .testTarget(name: "SyntheticDataTests", dependencies: ["SyntheticData", "ImageOps", "NeuralCore"]),
    .testTarget(name: "TIFFSupportTests", dependencies: ["TIFFSupport"]),
    .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC"]),
    .testTarget(name: "ModelExportTests", dependencies: ["ModelExport", "NeuralCore", "ImageOps"]),
    .testTarget(
      name: "WorkerCoreTests",
      dependencies: ["WorkerCore", "JSONRPC", "TIFFSupport", "NeuralCore", "ModelExport"]),
  ],
  swiftLanguageModes: [.v6]
)
