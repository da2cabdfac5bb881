/// The optimal string alignment distance between `a` and `b`: the fewest insertions, deletions, substitutions
/// and swaps of two adjacent elements that turn one into the other (each element edited at most once).
///
/// The one edit distance behind every "did you mean" hint: keywords in the parser, names in the schema and in
/// queries.
///
/// - Complexity: O(a.count × b.count) time, O(b.count) space.
package func editDistance<Element: Equatable>(_ a: [Element], _ b: [Element]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previousPrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var row = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        row[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var value = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                value = min(value, previousPrevious[j - 2] + 1)
            }
            row[j] = value
        }
        swap(&previousPrevious, &previous)
        swap(&previous, &row)
    }
    return previous[b.count]
}
