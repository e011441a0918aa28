import NeuralCore
import Testing

@Suite struct GeometryTests {
  let paper = UNetGeometry(depth: 4)

  @Test func paperTileIs572To388WithMargin92() {
    #expect(paper.margin == 92)
    #expect(paper.inputSize(forOutputSize: 388) == 572)
    #expect(paper.outputSize(forInputSize: 572) == 388)
    #expect(paper.isLegalOutputSize(388))
  }

  @Test func intermediateFeatureMapSizesOfThePaperNet() {
    let sizes = paper.featureMapSizes(forInputSize: 572)
    #expect(
      sizes == [
        570, 568, 284, 282, 280, 140, 138, 136, 68, 66, 64, 32, 30, 28,
        56, 54, 52, 104, 102, 100, 200, 198, 196, 392, 390, 388, 388,
      ])
    #expect(paper.stages(forInputSize: 572)?.first?.name == "down0.conv0")
    #expect(paper.stages(forInputSize: 572)?.last?.name == "final")
    #expect(paper.stages(forInputSize: 573) == nil)
  }

  @Test func illegalSizesAreRejectedNamingTheNearestLegalOnes() {
    #expect(!paper.isLegalOutputSize(390))
    #expect(paper.inputSize(forOutputSize: 390) == nil)
    #expect(paper.outputSize(forInputSize: 574) == nil)
    do {
      try paper.validate(outputSize: 390)
      Issue.record("390 accepted")
    } catch {
      #expect(error.nearestBelow == 388)
      #expect(error.nearestAbove == 404)
      #expect(error.description.contains("388 (input 572)"))
      #expect(error.description.contains("404 (input 588)"))
    }
    #expect(throws: UNetGeometryError.self) { try paper.validate(outputSize: 1) }
    #expect(paper.largestLegalOutputSize(atMost: 3) == nil)
    #expect(paper.largestLegalOutputSize(atMost: 403) == 388)
    #expect(paper.legalOutputSizes(in: 380...420) == [388, 404, 420])
  }

  /// The closed forms agree with pushing every size through the layers one by one.
  @Test(arguments: 1...5)
  func closedFormsMatchASimulationOfTheLayers(depth: Int) {
    let geometry = UNetGeometry(depth: depth)
    func simulate(_ input: Int) -> Int? {
      var s = input
      for level in 0...depth {
        s -= 4
        if s < 1 { return nil }
        if level < depth {
          if s % 2 != 0 { return nil }
          s /= 2
        }
      }
      for _ in 0..<depth {
        s = 2 * s - 4
        if s < 1 { return nil }
      }
      return s
    }
    var legalOutputs: [Int] = []
    for input in 1...700 {
      let expected = simulate(input)
      #expect(geometry.outputSize(forInputSize: input) == expected, "input \(input)")
      if let output = expected {
        legalOutputs.append(output)
        #expect(geometry.inputSize(forOutputSize: output) == input)
        #expect(geometry.stages(forInputSize: input)?.last?.size == output)
      }
    }
    let upper = legalOutputs.max() ?? 0
    #expect(geometry.legalOutputSizes(in: 1...upper) == legalOutputs)
    #expect(geometry.minimumOutputSize == legalOutputs.first)
  }

  @Test func configurationValidation() {
    #expect(throws: Never.self) { try UNetConfiguration(inputChannels: 3).validate() }
    #expect(throws: UNetConfigurationError.self) { try UNetConfiguration(inputChannels: 0).validate() }
    #expect(throws: UNetConfigurationError.self) { try UNetConfiguration(inputChannels: 1, classes: 1).validate() }
    #expect(throws: UNetConfigurationError.self) { try UNetConfiguration(inputChannels: 1, depth: 0).validate() }
    #expect(throws: UNetConfigurationError.self) { try UNetConfiguration(inputChannels: 1, dropout: 1).validate() }
  }
}
