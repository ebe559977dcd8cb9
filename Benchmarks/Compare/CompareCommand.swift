import ArgumentParser
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore

/// One command, one model per family, one budget, one table: every method of the package
/// against its baselines under the same evaluation.
@main
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the package's compression methods on one model per family at one budget.",
        discussion: """
            Each family starts every method from the same real model, asks for the same budget \
            and scores the result with the same evaluation: quality, parameters, multiply-\
            accumulates, speed measured in the same run as the dense model's, and the time the \
            method took. `llm` compresses SmolLM2-135M (MoDeGPT, DISP-LLM, dependent, \
            LLM-Pruner-style and magnitude pruning); `vision` prunes the shipped Fashion-MNIST \
            ResNet-20 (Auto-Train-Once, RLAL, interpretation-steered pruning, L1 and random \
            prune-then-fine-tune) and merges tokens in the Fashion-MNIST ViT (ToMe, ToFu, \
            EViT-style pruning); `gan` compresses the shipped pix2pix edges → garment generator (MGGC, \
            L1 channels and a uniformly slimmer generator, both distilled); `diffusion` prunes the \
            shipped text-conditioned U-Net (APTP's per-prompt experts, one pruned architecture, \
            magnitude pruning); `all` runs every family. --quick runs the same methods with \
            tiny budgets, for continuous integration.

            Writes summary.md (one table per family), results.csv, results.json and \
            comparison.svg (quality kept against compute kept) to --output after every model.
            """,
        subcommands: [LanguageModelCommand.self, VisionCommand.self, GANCommand.self, DiffusionCommand.self, AllFamiliesCommand.self],
        defaultSubcommand: LanguageModelCommand.self)
}

/// Parses a comma-separated method list against `known`.
func parsedMethods(_ text: String, known: [String], flag: String) throws -> Set<String> {
    let parts = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    if parts.isEmpty { throw ValidationError("\(flag): name at least one method (known: \(known.joined(separator: ", ")))") }
    if let unknown = parts.subtracting(known).sorted().first {
        throw ValidationError("\(flag): unknown method '\(unknown)' (known: \(known.joined(separator: ", ")))")
    }
    return parts
}

/// Parses a fraction in (0, 1).
func parsedFraction(_ value: Double, flag: String) throws -> Double {
    guard value > 0, value < 1 else { throw ValidationError("\(flag): \(value) is not a fraction in (0, 1)") }
    return value
}

/// One family of the comparison: a model, its methods, one budget and one evaluation.
protocol ComparisonFamily {
    /// The family's name in the summary's settings.
    static var name: String { get }
    /// A description of the run's settings.
    var settings: String { get }
    /// Runs every chosen method, appending rows to `report` and writing it to `folder` after each.
    func run(into report: inout ComparisonReport, writingTo folder: URL, seed: UInt64) throws
}

extension LanguageModelFamily: ComparisonFamily { static let name = "LLM" }
extension VisionFamily: ComparisonFamily { static let name = "vision" }
extension GANFamily: ComparisonFamily { static let name = "GAN" }
extension DiffusionFamily: ComparisonFamily { static let name = "diffusion" }

/// Runs `families` in order into one report in `options.output`, then prints every table.
func runFamilies(_ families: [any ComparisonFamily], options: CompareOptions) throws {
    options.prepare()
    let start = ContinuousClock.now
    var settings: [String: String] = [:]
    for family in families { settings[type(of: family).name] = family.settings }
    settings["mode"] = options.quick ? "quick" : "default"
    settings["threads"] = "\(options.threads)"
    settings["cpu"] = processorName() + ", kernels \(KernelLevel.active)"
    settings["seed"] = "\(options.seed)"
    var report = ComparisonReport(settings: settings, rows: [])
    let folder = URL(fileURLWithPath: options.output)
    for family in families {
        let began = ContinuousClock.now
        try family.run(into: &report, writingTo: folder, seed: options.seed)
        report.settings["\(type(of: family).name) seconds"] = String(format: "%.0f", elapsedSeconds(since: began))
        try report.write(to: folder)
    }
    for family in report.families {
        writeLine("")
        writeLine("\(family): \(report.dense(of: family)?.model ?? "")")
        writeLine(report.table(of: family).markdown())
    }
    writeLine(String(format: "wrote %@/{summary.md, results.csv, results.json, comparison.svg} in %.0f s", folder.path, elapsedSeconds(since: start)))
}

/// `compare llm`.
struct LanguageModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "SmolLM2-135M: MoDeGPT, DISP-LLM, dependent, LLM-Pruner-style and magnitude pruning at one budget.")

    @OptionGroup var options: CompareOptions

    @Option(help: "Fraction of decoder-block parameters to remove.")
    var ratio: Double = 0.3

    @Option(help: "Methods, comma-separated: modegpt, disp-llm, dependent, llm-pruner, magnitude.")
    var methods: String = LanguageModelFamily.methods.joined(separator: ",")

    @Option(help: "DISP-LLM training steps (default: 200, 8 with --quick).")
    var steps: Int?

    func validate() throws {
        _ = try parsedFraction(ratio, flag: "--ratio")
        _ = try parsedMethods(methods, known: LanguageModelFamily.methods, flag: "--methods")
        if let steps { try CountChecks.atLeast([("--steps", steps, 1)]) }
    }

    func family() throws -> LanguageModelFamily {
        var family = options.quick ? LanguageModelFamily.quick : LanguageModelFamily()
        family.ratio = ratio
        family.chosen = try parsedMethods(methods, known: LanguageModelFamily.methods, flag: "--methods")
        if let steps { family.steps = steps }
        return family
    }

    func run() throws {
        try runFamilies([try family()], options: options)
    }
}

/// `compare all`.
struct AllFamiliesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Every family with its default methods and budget (with --quick: tiny budgets).")

    @OptionGroup var options: CompareOptions

    func run() throws {
        let quick = options.quick
        try runFamilies([
            quick ? LanguageModelFamily.quick : LanguageModelFamily(), quick ? VisionFamily.quick : VisionFamily(),
            quick ? GANFamily.quick : GANFamily(), quick ? DiffusionFamily.quick : DiffusionFamily(),
        ], options: options)
    }
}

/// `compare vision`.
struct VisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vision",
        abstract: "The shipped ResNet-20 (ATO, RLAL, interpretation-steered, L1, random) and ViT (ToMe, ToFu, EViT) on Fashion-MNIST.")

    @OptionGroup var options: CompareOptions

    @Option(help: "Kept fraction of the ResNet's prunable FLOPs.")
    var keptFraction: Double = 0.3

    @Option(help: "Methods, comma-separated: ato, rlal, isp, l1, random (ResNet-20); tome, tofu, evit (ViT).")
    var methods: String = VisionFamily.methods.joined(separator: ",")

    @Option(help: "Training epochs of every CNN method (default: 3, 1 with --quick).")
    var epochs: Int?

    @Option(help: "Tokens the ViT methods remove per block.")
    var r: Int = 4

    func validate() throws {
        _ = try parsedFraction(keptFraction, flag: "--kept-fraction")
        _ = try parsedMethods(methods, known: VisionFamily.methods, flag: "--methods")
        if let epochs { try CountChecks.atLeast([("--epochs", epochs, 1)]) }
        try CountChecks.atLeast([("--r", r, 0)])
    }

    func run() throws {
        var family = options.quick ? VisionFamily.quick : VisionFamily()
        family.keptFraction = keptFraction
        family.chosen = try parsedMethods(methods, known: VisionFamily.methods, flag: "--methods")
        if let epochs { family.epochs = epochs }
        family.tokensPerBlock = r
        try runFamilies([family], options: options)
    }
}

/// `compare gan`.
struct GANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "The shipped pix2pix edges → garment generator: MGGC against L1 and uniform distillation baselines.")

    @OptionGroup var options: CompareOptions

    @Option(help: "Kept fraction of the generator's MACs.")
    var keptFraction: Double = 0.25

    @Option(help: "Methods, comma-separated: mggc, l1-distill, uniform-distill.")
    var methods: String = GANFamily.methods.joined(separator: ",")

    func validate() throws {
        _ = try parsedFraction(keptFraction, flag: "--kept-fraction")
        _ = try parsedMethods(methods, known: GANFamily.methods, flag: "--methods")
    }

    func run() throws {
        var family = options.quick ? GANFamily.quick : GANFamily()
        family.keptFraction = keptFraction
        family.chosen = try parsedMethods(methods, known: GANFamily.methods, flag: "--methods")
        try runFamilies([family], options: options)
    }
}

/// `compare diffusion`.
struct DiffusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffusion",
        abstract: "The shipped text-conditioned U-Net: APTP against one pruned architecture and magnitude pruning.")

    @OptionGroup var options: CompareOptions

    @Option(help: "Kept fraction of the U-Net's MACs.")
    var keptFraction: Double = 0.6

    @Option(help: "Methods, comma-separated: aptp, single-architecture, magnitude.")
    var methods: String = DiffusionFamily.methods.joined(separator: ",")

    func validate() throws {
        _ = try parsedFraction(keptFraction, flag: "--kept-fraction")
        _ = try parsedMethods(methods, known: DiffusionFamily.methods, flag: "--methods")
    }

    func run() throws {
        var family = options.quick ? DiffusionFamily.quick : DiffusionFamily()
        family.keptFraction = keptFraction
        family.chosen = try parsedMethods(methods, known: DiffusionFamily.methods, flag: "--methods")
        try runFamilies([family], options: options)
    }
}
