import Foundation

/// A dependency-free SVG line plot: axes with ticks, one line per series for the mean, a shaded
/// band for mean ± standard deviation, an optional dashed reference line, and a legend.
public struct SVGLinePlot {
    /// One curve: `mean[i]` (± `deviation[i]`) at `x[i]`; nil entries break the line.
    public struct Series {
        /// The legend entry.
        public var name: String
        /// The x positions.
        public var x: [Double]
        /// The mean at each position.
        public var mean: [Double?]
        /// The standard deviation at each position (the band is omitted where nil).
        public var deviation: [Double?]

        /// A curve; `deviation` defaults to none.
        public init(name: String, x: [Double], mean: [Double?], deviation: [Double?]? = nil) {
            self.name = name
            self.x = x
            self.mean = mean
            self.deviation = deviation ?? Array(repeating: nil, count: x.count)
        }
    }

    /// The title above the plot.
    public var title: String
    /// The x-axis label.
    public var xLabel: String
    /// The y-axis label.
    public var yLabel: String
    /// The curves, drawn in order in Tableau's ten colours.
    public var series: [Series]
    /// A horizontal dashed line (a target value) and its label.
    public var reference: (value: Double, label: String)?
    /// Whether the y axis is logarithmic (base 10; values must be positive, others are dropped).
    public var logarithmicY = false
    /// The image size in pixels.
    public var width = 820.0, height = 480.0

    /// A plot of `series`.
    public init(
        title: String, xLabel: String, yLabel: String, series: [Series],
        reference: (value: Double, label: String)? = nil, logarithmicY: Bool = false
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.reference = reference
        self.logarithmicY = logarithmicY
    }

    /// Tableau's ten colours.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    private let left = 72.0, right = 200.0, top = 40.0, bottom = 56.0

    /// The SVG document.
    public func render() -> String {
        guard logarithmicY else { return draw(yTickLabel: Self.tickLabel) }
        func log(_ value: Double?) -> Double? { value.flatMap { $0 > 0 ? Foundation.log10($0) : nil } }
        var linear = self
        linear.logarithmicY = false
        linear.series = series.map { curve in
            var copy = curve
            copy.mean = curve.mean.map(log)
            copy.deviation = curve.deviation.map { _ in nil }
            return copy
        }
        linear.reference = reference.flatMap { reference in log(reference.value).map { ($0, reference.label) } }
        return linear.draw { value, _ in
            let power = Foundation.pow(10, value)
            return power >= 1e4 || power < 1e-2 ? String(format: "%.0e", power) : String(format: "%.3g", power)
        }
    }

    private func draw(yTickLabel: (Double, Double) -> String) -> String {
        let (xTicks, xRange) = Self.ticks(covering: xExtent)
        let (yTicks, yRange) = Self.ticks(covering: yExtent)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth }
        func py(_ y: Double) -> Double { top + (yRange.upperBound - y) / (yRange.upperBound - yRange.lowerBound) * plotHeight }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(height))" \
            viewBox="0 0 \(Self.number(width)) \(Self.number(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect x="0" y="0" width="\(Self.number(width))" height="\(Self.number(height))" fill="white"/>
            <text x="\(Self.number(left + plotWidth / 2))" y="24" text-anchor="middle" font-size="15" font-weight="bold">\(Self.escaped(title))</text>

            """
        // Grid and ticks.
        for tick in xTicks {
            let x = Self.number(px(tick))
            svg += "<line x1=\"\(x)\" y1=\"\(Self.number(top))\" x2=\"\(x)\" y2=\"\(Self.number(top + plotHeight))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(x)\" y=\"\(Self.number(top + plotHeight + 18))\" text-anchor=\"middle\">\(Self.tickLabel(tick, step: xTicks.step))</text>\n"
        }
        for tick in yTicks {
            let y = Self.number(py(tick))
            svg += "<line x1=\"\(Self.number(left))\" y1=\"\(y)\" x2=\"\(Self.number(left + plotWidth))\" y2=\"\(y)\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(Self.number(left - 8))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(yTickLabel(tick, yTicks.step))</text>\n"
        }
        svg += "<rect x=\"\(Self.number(left))\" y=\"\(Self.number(top))\" width=\"\(Self.number(plotWidth))\" height=\"\(Self.number(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(Self.number(left + plotWidth / 2))\" y=\"\(Self.number(height - 14))\" text-anchor=\"middle\">\(Self.escaped(xLabel))</text>\n"
        svg += "<text transform=\"translate(18 \(Self.number(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escaped(yLabel))</text>\n"
        if let reference, yRange.contains(reference.value) {
            let y = Self.number(py(reference.value))
            svg += "<line x1=\"\(Self.number(left))\" y1=\"\(y)\" x2=\"\(Self.number(left + plotWidth))\" y2=\"\(y)\" stroke=\"#444\" stroke-dasharray=\"6 4\"/>\n"
            svg += "<text x=\"\(Self.number(left + plotWidth - 4))\" y=\"\(Self.number(py(reference.value) - 5))\" text-anchor=\"end\" fill=\"#444\">\(Self.escaped(reference.label))</text>\n"
        }
        // Bands first, then lines on top, both clipped to the plot area.
        svg += "<clipPath id=\"plot-area\"><rect x=\"\(Self.number(left))\" y=\"\(Self.number(top))\" "
            + "width=\"\(Self.number(plotWidth))\" height=\"\(Self.number(plotHeight))\"/></clipPath>\n<g clip-path=\"url(#plot-area)\">\n"
        for (index, series) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            for segment in Self.segments(series) where segment.count > 1 {
                let upper = segment.compactMap { i in series.deviation[i].map { (series.x[i], series.mean[i]! + $0) } }
                let lower = segment.compactMap { i in series.deviation[i].map { (series.x[i], series.mean[i]! - $0) } }
                guard upper.count == segment.count else { continue }
                let points = (upper + lower.reversed()).map { "\(Self.number(px($0.0))),\(Self.number(py($0.1)))" }
                svg += "<polygon points=\"\(points.joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
        }
        for (index, series) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            for segment in Self.segments(series) {
                let points = segment.map { "\(Self.number(px(series.x[$0]))),\(Self.number(py(series.mean[$0]!)))" }
                if points.count == 1 {
                    let i = segment[0]
                    svg += "<circle cx=\"\(Self.number(px(series.x[i])))\" cy=\"\(Self.number(py(series.mean[i]!)))\" r=\"2\" fill=\"\(colour)\"/>\n"
                } else {
                    svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
                }
            }
        }
        svg += "</g>\n"
        // Legend.
        let legendX = left + plotWidth + 16
        for (index, series) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            let y = top + 10 + Double(index) * 22
            svg += "<rect x=\"\(Self.number(legendX))\" y=\"\(Self.number(y - 6))\" width=\"22\" height=\"12\" fill=\"\(colour)\" fill-opacity=\"0.15\"/>\n"
            svg += "<line x1=\"\(Self.number(legendX))\" y1=\"\(Self.number(y))\" x2=\"\(Self.number(legendX + 22))\" y2=\"\(Self.number(y))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(Self.number(legendX + 28))\" y=\"\(Self.number(y))\" dominant-baseline=\"middle\">\(Self.escaped(series.name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    // MARK: Extents and ticks

    private var xExtent: ClosedRange<Double> {
        let xs = series.flatMap(\.x)
        return (xs.min() ?? 0)...(xs.max() ?? 1)
    }

    /// The range of the means and the reference line, widened by the bands unless they would
    /// more than double it (then the bands are clipped, so that one wild seed does not flatten
    /// every other curve).
    private var yExtent: ClosedRange<Double> {
        var low = Double.infinity, high = -Double.infinity
        var bandLow = Double.infinity, bandHigh = -Double.infinity
        for series in series {
            for i in series.x.indices {
                guard let mean = series.mean[i] else { continue }
                let deviation = series.deviation[i] ?? 0
                low = min(low, mean)
                high = max(high, mean)
                bandLow = min(bandLow, mean - deviation)
                bandHigh = max(bandHigh, mean + deviation)
            }
        }
        if let reference { low = min(low, reference.value); high = max(high, reference.value) }
        guard low.isFinite else { return 0...1 }
        bandLow = min(bandLow, low)
        bandHigh = max(bandHigh, high)
        let span = max(high - low, 1e-9)
        if bandHigh - bandLow <= 2 * span { return bandLow...bandHigh }
        return max(bandLow, low - span / 2)...min(bandHigh, high + span / 2)
    }

    /// Evenly spaced "nice" ticks (1, 2, 2.5 or 5 × 10^k apart, about six of them) and the range
    /// they span, which contains `extent`.
    static func ticks(covering extent: ClosedRange<Double>) -> (ticks: TickSet, range: ClosedRange<Double>) {
        var low = extent.lowerBound, high = extent.upperBound
        if high - low < 1e-12 { low -= 1; high += 1 }
        let rough = (high - low) / 6
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = Foundation.floor(low / step) * step, last = Foundation.ceil(high / step) * step
        let count = Int(((last - first) / step).rounded())
        return (TickSet(values: (0...count).map { first + Double($0) * step }, step: step), first...last)
    }

    /// Tick positions and their spacing.
    struct TickSet: Sequence {
        /// The positions.
        var values: [Double]
        /// The spacing.
        var step: Double
        func makeIterator() -> IndexingIterator<[Double]> { values.makeIterator() }
    }

    /// A tick label: "250k", "1.5M", "-200", "0.25".
    static func tickLabel(_ value: Double, step: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 && step >= 1e5 { return trimmed(value / 1e6) + "M" }
        if magnitude >= 1e4 && step >= 1e3 { return trimmed(value / 1e3) + "k" }
        if step >= 1 { return String(Int(value.rounded())) }
        let decimals = max(0, Int(Foundation.ceil(-Foundation.log10(step) - 1e-9)))
        return String(format: "%.\(decimals)f", value)
    }

    private static func trimmed(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Index runs where the mean is present.
    private static func segments(_ series: Series) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        for i in series.x.indices {
            if series.mean[i] != nil {
                current.append(i)
            } else if !current.isEmpty {
                result.append(current)
                current = []
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// A coordinate with at most two decimals.
    static func number(_ value: Double) -> String {
        trimmed(value)
    }

    /// `text` with XML's special characters escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
