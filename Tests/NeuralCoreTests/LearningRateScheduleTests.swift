import Foundation
import NeuralCore
import Testing

@Suite struct LearningRateScheduleTests {
  @Test func constantKeepsTheBaseRate() {
    for done in [0, 1, 50, 100, 150] {
      #expect(LearningRateSchedule.constant.rate(base: 0.01, done: done, total: 100) == 0.01)
    }
  }

  /// Against the formula written out in Double: base · (f + (1 − f) · (1 + cos(π t/T)) / 2).
  @Test(arguments: [1, 7, 100, 2000])
  func cosineMatchesTheFormula(total: Int) {
    let base: Float = 1e-3
    let f = Double(LearningRateSchedule.finalFraction)
    for done in stride(from: 0, through: total, by: max(1, total / 13)) {
      let expected = Double(base) * (f + (1 - f) * 0.5 * (1 + cos(Double.pi * Double(done) / Double(total))))
      let rate = LearningRateSchedule.cosine.rate(base: base, done: done, total: total)
      #expect(abs(Double(rate) - expected) <= 1e-6 * Double(base), "done \(done) of \(total)")
    }
  }

  @Test func cosineStartsAtTheBaseEndsAtTheFloorAndNeverRises() {
    let schedule = LearningRateSchedule.cosine
    #expect(schedule.rate(base: 2, done: 0, total: 10) == 2)
    #expect(abs(schedule.rate(base: 2, done: 10, total: 10) - 2 * LearningRateSchedule.finalFraction) < 1e-6)
    #expect(schedule.rate(base: 2, done: 25, total: 10) == schedule.rate(base: 2, done: 10, total: 10))
    #expect(schedule.rate(base: 2, done: 3, total: 0) == 2, "no budget known: the base rate")
    var previous = Float.infinity
    for done in 0...10 {
      let rate = schedule.rate(base: 2, done: done, total: 10)
      #expect(rate <= previous)
      previous = rate
    }
  }
}
