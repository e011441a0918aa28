import Evaluation
import ImageOps
import Testing

@Suite struct ClassOverlapTests {
  @Test func perClassIoUPooledOverPagesAndTheForegroundMean() {
    // Page 1 (1×6): truth 0 0 1 1 2 2, prediction 0 1 1 1 2 0.
    // Page 2 (1×2): truth 1 1, prediction 1 0.
    var overlap = ClassOverlap(classes: 4)
    overlap.add(
      prediction: LabelImage(width: 6, height: 1, values: [0, 1, 1, 1, 2, 0]),
      truth: LabelImage(width: 6, height: 1, values: [0, 0, 1, 1, 2, 2]))
    overlap.add(prediction: LabelImage(width: 2, height: 1, values: [1, 0]), truth: LabelImage(width: 2, height: 1, values: [1, 1]))
    // Class 0: P = {0, 5, p2:1}, T = {0, 1}: ∩ 1, ∪ 4. Class 1: P = {1, 2, 3, p2:0}, T = {2, 3, p2:0, p2:1}: ∩ 3, ∪ 5.
    // Class 2: P = {4}, T = {4, 5}: ∩ 1, ∪ 2. Class 3: in neither.
    let iou = overlap.classIoU
    #expect(iou.count == 4)
    #expect(iou[0] == 0.25 && iou[1] == 0.6 && iou[2] == 0.5 && iou[3] == nil)
    #expect(abs((overlap.meanForegroundIoU ?? -1) - 0.55) < 1e-12)
  }

  @Test func perfectPredictionAndNoForeground() {
    let labels = LabelImage(width: 3, height: 1, values: [0, 2, 1])
    var overlap = ClassOverlap(classes: 3)
    overlap.add(prediction: labels, truth: labels)
    #expect(overlap.classIoU == [1, 1, 1] && overlap.meanForegroundIoU == 1)
    var empty = ClassOverlap(classes: 3)
    empty.add(prediction: LabelImage(width: 2, height: 1), truth: LabelImage(width: 2, height: 1))
    #expect(empty.classIoU == [1, nil, nil] && empty.meanForegroundIoU == nil)
  }
}
