import ImageOps
import NeuralCore
import SyntheticData
import Testing

/// The three-class kind (issue 14): class image and instances agree, nuclei are brighter
/// than cells, and objects of the two classes touch.
@Suite struct MixedGeneratorTests {
  @Test(arguments: [UInt64(1), 2])
  func classImageNamesTheInstancesAndBothClassesTouch(seed: UInt64) {
    let sample = generateMixed(width: 256, height: 256, seed: seed)
    #expect(Set(sample.classes.values) == [0, 1, 2])
    // The 4-connected components of each class are exactly the instances.
    #expect(sample.classes.objects(kind: .classes(3)).labels == sample.instances)
    #expect((sample.classes.values.indices).allSatisfy { (sample.classes.values[$0] == 0) == (sample.instances.values[$0] == 0) })
    let nuclei = meanIntensity(sample.image, sample.classes) { $0 == 1 }
    let cells = meanIntensity(sample.image, sample.classes) { $0 == 2 }
    let background = meanIntensity(sample.image, sample.classes) { $0 == 0 }
    #expect(nuclei > cells + 0.2 && cells > background + 0.05, "nuclei \(nuclei), cells \(cells), background \(background)")
    // Touching pairs of different classes (4-neighbours in different objects).
    var mixedContacts = 0
    for y in 0..<256 {
      for x in 0..<255 {
        let (a, b) = (sample.classes[y, x], sample.classes[y, x + 1])
        if a != 0 && b != 0 && a != b { mixedContacts += 1 }
      }
    }
    #expect(mixedContacts > 20, "\(mixedContacts) contacts between nuclei and cells")
    #expect(sample.instances.maximumLabel >= 20, "\(sample.instances.maximumLabel) objects")
  }
}
