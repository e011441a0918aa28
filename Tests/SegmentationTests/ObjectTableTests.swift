import ImageOps
import NeuralCore
import Segmentation
import Testing

/// Object measurements and the CSV they become.
@Suite struct ObjectTableTests {
  private func labelsAndProbability() -> (LabelImage, Tensor) {
    // Object 1: pixels (1,0), (2,0), (1,1); object 3: (3,2). Label 2 is absent.
    let labels = LabelImage(width: 4, height: 3, values: [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 3])
    var probability = Tensor(shape: Shape(channels: 1, height: 3, width: 4))
    for i in 0..<12 { probability.storage[i] = Float(i) / 16 }
    return (labels, probability)
  }

  @Test func measurementsOfKnownObjects() {
    let (labels, probability) = labelsAndProbability()
    let objects = labels.measurements(probability: probability)
    #expect(objects.map(\.label) == [1, 3])
    let first = objects[0]
    #expect(first.area == 3 && first.boundingX == 1 && first.boundingY == 0)
    #expect(first.boundingWidth == 2 && first.boundingHeight == 2)
    #expect(abs(first.centroidX - (4.0 / 3 + 0.5)) < 1e-12 && abs(first.centroidY - (1.0 / 3 + 0.5)) < 1e-12)
    #expect(abs(first.meanProbability - Double(1 + 2 + 5) / 48) < 1e-7)
    #expect(objects[1].centroidX == 3.5 && objects[1].centroidY == 2.5 && objects[1].area == 1)
  }

  @Test func csvWithoutPixelSize() {
    let (labels, probability) = labelsAndProbability()
    var table = ObjectTable(pixelArea: nil, withPage: false)
    for object in labels.measurements(probability: probability) { table.append(object, objectClass: 1, page: 0) }
    #expect(
      table.text == """
        label,class,area_px,area_um2,centroid_x,centroid_y,bbox_x,bbox_y,bbox_width,bbox_height,mean_probability
        1,1,3,,1.8333333333333333,0.8333333333333333,1,0,2,2,0.16666666666666666
        3,1,1,,3.5,2.5,3,2,1,1,0.6875

        """)
  }

  @Test func csvWithPixelSizeAndPages() {
    let (labels, probability) = labelsAndProbability()
    var table = ObjectTable(pixelArea: 0.25, withPage: true)
    for object in labels.measurements(probability: probability) { table.append(object, objectClass: 2, page: 1) }
    let lines = table.text.split(separator: "\n")
    #expect(lines[0].hasSuffix(",mean_probability,page"))
    #expect(lines[1] == "1,2,3,0.75,1.8333333333333333,0.8333333333333333,1,0,2,2,0.16666666666666666,2")
    #expect(lines.count == 3)
  }
}
