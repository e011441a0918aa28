import NeuralCore
import Testing

@Suite struct TrainingTests {
  /// A 76-pixel input (36-pixel output for depth 2) of touching square cells separated by
  /// one-pixel walls of intermediate brightness: the paper's hard case. Targets: cell
  /// interiors are foreground, walls and surroundings background; walls weigh 10 (Eq. 2's
  /// idea: the separating background matters most).
  static func touchingCells() -> (input: Tensor, targets: [Int32], weights: [Float]) {
    var rng = RandomSource(seed: 31)
    let size = 76
    let margin = 20
    var input = Tensor(channels: 1, height: size, width: size)
    var label = [Int32](repeating: 0, count: size * size)
    var wall = [Bool](repeating: false, count: size * size)
    // A 4×4 grid of 9-pixel cells with 1-pixel walls, some cells missing.
    let origin = 18
    let missing: Set<Int> = [2, 7, 13]
    for cell in 0..<16 where !missing.contains(cell) {
      let top = origin + (cell / 4) * 10
      let left = origin + (cell % 4) * 10
      for y in top..<(top + 10) {
        for x in left..<(left + 10) {
          let isWall = y == top + 9 || x == left + 9 || y == top || x == left
          if isWall {
            wall[y * size + x] = true
          } else {
            label[y * size + x] = 1
          }
        }
      }
    }
    for y in 0..<size {
      for x in 0..<size {
        let noise = 0.05 * (rng.nextUniform() - 0.5)
        let value: Float = label[y * size + x] == 1 ? 0.9 : (wall[y * size + x] ? 0.45 : 0.1)
        input[0, y, x] = value + noise
      }
    }
    let out = size - 2 * margin
    var targets = [Int32](repeating: 0, count: out * out)
    var weights = [Float](repeating: 1, count: out * out)
    for y in 0..<out {
      for x in 0..<out {
        let source = (y + margin) * size + x + margin
        targets[y * out + x] = label[source]
        if wall[source] { weights[y * out + x] = 10 }
      }
    }
    return (input, targets, weights)
  }

  @Test func smallUNetOverfitsTouchingObjects() {
    let (input, targets, weights) = Self.touchingCells()
    var rng = RandomSource(seed: 1)
    var network = UNet(
      configuration: UNetConfiguration(inputChannels: 1, baseChannels: 8, depth: 2), rng: &rng)
    var optimizer = Optimizer.adam(learningRate: 3e-3)
    let workspace = UNetWorkspace(parallel: Parallel(threads: 2))
    var losses: [Float] = []
    for _ in 0..<150 {
      losses.append(
        network.trainingStep(
          input: input, targets: targets, weights: weights, optimizer: &optimizer, rng: &rng,
          workspace: workspace))
    }
    let first = losses[0]
    let last = losses.suffix(5).reduce(0, +) / 5
    #expect(last < first / 10, "loss \(first) → \(last)")
    let logits = network.forward(input, workspace: workspace)
    let pixels = targets.count
    var intersection = 0
    var union = 0
    for i in 0..<pixels {
      let predicted = logits.storage[pixels + i] > logits.storage[i]
      let truth = targets[i] == 1
      if predicted && truth { intersection += 1 }
      if predicted || truth { union += 1 }
    }
    let iou = Double(intersection) / Double(union)
    #expect(iou > 0.95, "foreground IoU \(iou)")
  }

  static func trainedParameters(threads: Int, steps: Int) -> [Float] {
    var rng = RandomSource(seed: 5)
    var network = UNet(
      configuration: UNetConfiguration(inputChannels: 2, classes: 3, baseChannels: 4, depth: 2, dropout: 0.3),
      rng: &rng)
    var optimizer = Optimizer.sgd(learningRate: 0.01)
    let workspace = UNetWorkspace(parallel: Parallel(threads: threads))
    let input = Reference.randomTensor(2, 48, 48, rng: &rng)
    let targets = (0..<64).map { _ in Int32(rng.nextInt(below: 3)) }
    let weights = (0..<64).map { _ in rng.nextUniform() * 3 }
    for _ in 0..<steps {
      network.trainingStep(
        input: input, targets: targets, weights: weights, optimizer: &optimizer, rng: &rng,
        workspace: workspace)
    }
    return network.parameters
  }

  /// Same seed and data: bit-identical parameters, for the same thread count (required) and,
  /// by construction of the kernels, for any thread count.
  @Test func trainingIsBitIdenticallyReproducible() {
    let reference = Self.trainedParameters(threads: 2, steps: 4)
    #expect(Reference.identical(Self.trainedParameters(threads: 2, steps: 4), reference))
    #expect(Reference.identical(Self.trainedParameters(threads: 1, steps: 4), reference))
    #expect(Reference.identical(Self.trainedParameters(threads: 3, steps: 4), reference))
  }

  /// Save after 3 of 6 steps, load, continue: the same parameters as 6 uninterrupted steps.
  @Test(arguments: [false, true])
  func trainingResumesExactlyFromAModelFile(adam: Bool) throws {
    func run(_ network: inout UNet, _ state: inout TrainingState, steps: Int, data: (Tensor, [Int32], [Float])) {
      let workspace = UNetWorkspace(parallel: Parallel(threads: 2))
      for _ in 0..<steps {
        network.trainingStep(
          input: data.0, targets: data.1, weights: data.2, optimizer: &state.optimizer,
          rng: &state.rng, workspace: workspace)
        state.iteration += 1
      }
    }
    var rng = RandomSource(seed: 6)
    let start = UNet(
      configuration: UNetConfiguration(inputChannels: 1, baseChannels: 4, depth: 2, dropout: 0.2), rng: &rng)
    let data = (
      Reference.randomTensor(1, 48, 48, rng: &rng), (0..<64).map { _ in Int32(rng.nextInt(below: 2)) },
      [Float](repeating: 1, count: 64)
    )
    let optimizer = adam ? Optimizer.adam(learningRate: 1e-3) : Optimizer.sgd(learningRate: 0.01)
    var straight = start
    var straightState = TrainingState(iteration: 0, rng: RandomSource(seed: 100), optimizer: optimizer)
    run(&straight, &straightState, steps: 6, data: data)

    var first = start
    var firstState = TrainingState(iteration: 0, rng: RandomSource(seed: 100), optimizer: optimizer)
    run(&first, &firstState, steps: 3, data: data)
    let file = try ModelFile.decode(ModelFile(network: first, trainingState: firstState).encode())
    var resumed = file.network
    guard var resumedState = file.trainingState else {
      Issue.record("no training state")
      return
    }
    #expect(resumedState.iteration == 3)
    run(&resumed, &resumedState, steps: 3, data: data)
    #expect(Reference.identical(resumed.parameters, straight.parameters))
    #expect(resumedState == straightState)
  }
}
