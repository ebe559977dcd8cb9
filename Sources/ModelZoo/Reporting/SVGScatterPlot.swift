import Foundation

/// A dependency-free SVG scatter plot: labelled points coloured by group, axes with ticks, an
/// optional dashed reference line per axis, and a legend of the groups.
public struct SVGScatterPlot: Sendable {
    /// One labelled point.
    public struct Point: Sendable, Equatable {
        /// The group (legend entry and colour).
        public var group: String
        /// The text written next to the point.
        public var label: String
        /// The position.
        public var x: Double, y: Double

        /// A point of `group` at `(x, y)` labelled `label`.
        public init(group: String, label: String, x: Double, y: Double) {
            self.group = group
            self.label = label
            self.x = x
            self.y = y
        }
    }

    /// The title above the plot.
    public var title: String
    /// The x-axis label.
    public var xLabel: String
    /// The y-axis label.
    public var yLabel: String
    /// The points; those with a non-finite coordinate are left out.
    public var points: [Point]
    /// A vertical dashed line at this x (e.g. the dense model's cost), if any.
    public var xReference: Double?
    /// A horizontal dashed line at this y (e.g. the dense model's quality), if any.
    public var yReference: Double?
    /// The image size in pixels.
    public var width = 900.0, height = 560.0

    /// A plot of `points`.
    public init(title: String, xLabel: String, yLabel: String, points: [Point], xReference: Double? = nil, yReference: Double? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.xReference = xReference
        self.yReference = yReference
    }

    private let left = 72.0, right = 180.0, top = 40.0, bottom = 56.0

    /// The groups in order of first appearance.
    public var groups: [String] {
        var seen: [String] = []
        for point in points where !seen.contains(point.group) { seen.append(point.group) }
        return seen
    }

    /// The SVG document.
    public func render() -> String {
        let shown = points.filter { $0.x.isFinite && $0.y.isFinite }
        let xs = shown.map(\.x) + [xReference].compactMap { $0 }
        let ys = shown.map(\.y) + [yReference].compactMap { $0 }
        let (xTicks, xRange) = SVGLinePlot.ticks(covering: (xs.min() ?? 0)...(xs.max() ?? 1))
        let (yTicks, yRange) = SVGLinePlot.ticks(covering: (ys.min() ?? 0)...(ys.max() ?? 1))
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ x: Double) -> String {
            SVGLinePlot.number(left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth)
        }
        func py(_ y: Double) -> String {
            SVGLinePlot.number(top + (yRange.upperBound - y) / (yRange.upperBound - yRange.lowerBound) * plotHeight)
        }
        let n = SVGLinePlot.number, escaped = SVGLinePlot.escaped
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
            viewBox="0 0 \(n(width)) \(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect x="0" y="0" width="\(n(width))" height="\(n(height))" fill="white"/>
            <text x="\(n(left + plotWidth / 2))" y="24" text-anchor="middle" font-size="15" font-weight="bold">\(escaped(title))</text>

            """
        for tick in xTicks {
            svg += "<line x1=\"\(px(tick))\" y1=\"\(n(top))\" x2=\"\(px(tick))\" y2=\"\(n(top + plotHeight))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(px(tick))\" y=\"\(n(top + plotHeight + 18))\" text-anchor=\"middle\">\(SVGLinePlot.tickLabel(tick, step: xTicks.step))</text>\n"
        }
        for tick in yTicks {
            svg += "<line x1=\"\(n(left))\" y1=\"\(py(tick))\" x2=\"\(n(left + plotWidth))\" y2=\"\(py(tick))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(n(left - 8))\" y=\"\(py(tick))\" text-anchor=\"end\" dominant-baseline=\"middle\">\(SVGLinePlot.tickLabel(tick, step: yTicks.step))</text>\n"
        }
        svg += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotWidth))\" height=\"\(n(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(height - 14))\" text-anchor=\"middle\">\(escaped(xLabel))</text>\n"
        svg += "<text transform=\"translate(18 \(n(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escaped(yLabel))</text>\n"
        if let xReference {
            svg += "<line x1=\"\(px(xReference))\" y1=\"\(n(top))\" x2=\"\(px(xReference))\" y2=\"\(n(top + plotHeight))\" stroke=\"#444\" stroke-dasharray=\"6 4\"/>\n"
        }
        if let yReference {
            svg += "<line x1=\"\(n(left))\" y1=\"\(py(yReference))\" x2=\"\(n(left + plotWidth))\" y2=\"\(py(yReference))\" stroke=\"#444\" stroke-dasharray=\"6 4\"/>\n"
        }
        let groups = groups
        for point in shown {
            let colour = SVGLinePlot.palette[(groups.firstIndex(of: point.group) ?? 0) % SVGLinePlot.palette.count]
            svg += "<circle cx=\"\(px(point.x))\" cy=\"\(py(point.y))\" r=\"5\" fill=\"\(colour)\" fill-opacity=\"0.85\"/>\n"
            svg += "<text x=\"\(px(point.x))\" y=\"\(py(point.y))\" dx=\"8\" dy=\"-6\" font-size=\"10\" fill=\"#333\">\(escaped(point.label))</text>\n"
        }
        let legendX = left + plotWidth + 16
        for (index, group) in groups.enumerated() {
            let colour = SVGLinePlot.palette[index % SVGLinePlot.palette.count]
            let y = top + 10 + Double(index) * 22
            svg += "<circle cx=\"\(n(legendX + 6))\" cy=\"\(n(y))\" r=\"5\" fill=\"\(colour)\"/>\n"
            svg += "<text x=\"\(n(legendX + 18))\" y=\"\(n(y))\" dominant-baseline=\"middle\">\(escaped(group))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }
}
