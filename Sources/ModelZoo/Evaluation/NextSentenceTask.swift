import Foundation
import PruningCore

/// A zero-shot multiple-choice check that needs no download: given the text before a sentence
/// of a WikiText-2 paragraph, choose that sentence's true beginning among distractor sentences
/// drawn from other articles.
///
/// Every choice is cut to the same number of tokens, so a model is scored by the summed
/// log-likelihood of each choice's tokens after the shared context (length normalization is
/// unnecessary), and the four sequences of an item run as one batch. Chance is
/// `1 / choiceCount`. The MoDeGPT and DISP-LLM tables report it next to perplexity.
public struct NextSentenceTask: Sendable {
    /// One question: a context and `choices`, of which `choices[answer]` is the true text.
    public struct Item: Sendable {
        /// The tokens before the sentence (the end of the paragraph so far).
        public var context: [Int]
        /// The first tokens of each candidate sentence.
        public var choices: [[Int]]
        /// The index of the true sentence.
        public var answer: Int

        /// An item.
        public init(context: [Int], choices: [[Int]], answer: Int) {
            self.context = context
            self.choices = choices
            self.answer = answer
        }
    }

    /// The questions.
    public let items: [Item]

    /// Builds `itemCount` questions from the raw WikiText-2 text `raw`.
    ///
    /// - Parameters:
    ///   - raw: a raw WikiText-2 file (articles start at ` = Title = ` lines).
    ///   - encode: the tokenizer (no BOS).
    ///   - itemCount: the number of questions.
    ///   - choiceCount: choices per question (the true one and `choiceCount − 1` distractors).
    ///   - contextLength: the most context tokens kept (at least 8 are required).
    ///   - continuationLength: the tokens of each choice (sentences shorter than this are not
    ///     used).
    ///   - seed: the sampling seed.
    /// - Throws: ``NextSentenceTaskError`` when the text holds too few sentences.
    public init(
        raw: String, encode: (String) -> [Int], itemCount: Int, choiceCount: Int = 4, contextLength: Int = 32,
        continuationLength: Int = 12, seed: UInt64 = 0
    ) throws {
        struct Sentence { var article: Int; var paragraph: Int; var prefix: String; var text: String }
        var sentences: [Sentence] = []
        var article = -1
        for (paragraphIndex, line) in raw.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("= ") && !trimmed.hasPrefix("= =") { article += 1; continue }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("="), article >= 0 else { continue }
            let parts = trimmed.components(separatedBy: " . ")
            var prefix = ""
            for (index, part) in parts.enumerated() {
                let text = index < parts.count - 1 ? part + " ." : part
                sentences.append(Sentence(article: article, paragraph: paragraphIndex, prefix: prefix, text: text))
                prefix += (prefix.isEmpty ? "" : " ") + text
            }
        }
        let minimumContext = 8
        let candidates = sentences.map { Array(encode(" " + $0.text).prefix(continuationLength)) }
        let usable = sentences.indices.filter { candidates[$0].count == continuationLength }
        var generator = RandomGenerator(seed: seed)
        var items: [Item] = []
        for index in generator.permutation(usable.count).map({ usable[$0] }) where items.count < itemCount {
            let sentence = sentences[index]
            guard !sentence.prefix.isEmpty else { continue }
            let context = Array(encode(" " + sentence.prefix).suffix(contextLength))
            guard context.count >= minimumContext else { continue }
            var choices = [candidates[index]]
            var attempts = 0
            while choices.count < choiceCount && attempts < 1000 {
                attempts += 1
                let other = usable[generator.nextInt(below: usable.count)]
                if sentences[other].article != sentence.article && !choices.contains(candidates[other]) {
                    choices.append(candidates[other])
                }
            }
            guard choices.count == choiceCount else { continue }
            let answer = generator.nextInt(below: choiceCount)
            choices.swapAt(0, answer)
            items.append(Item(context: context, choices: choices, answer: answer))
        }
        guard items.count == itemCount else {
            throw NextSentenceTaskError.tooFewSentences(found: items.count, needed: itemCount)
        }
        self.items = items
    }

    /// The fraction of questions whose true choice gets the highest log-likelihood under
    /// `model`.
    public func accuracy(of model: some CausalLanguageModel) -> Double {
        var correct = 0
        withoutGradients {
            for item in items {
                let rows = item.choices.map { item.context + $0 }
                let length = item.choices[0].count
                let hidden = model.finalHiddenStates(for: rows)
                // Positions context−1 … end−2 predict the choice tokens.
                let predicting = hidden.sliced(alongAxis: 1, from: item.context.count - 1, count: length)
                let logProbabilities = model.outputLogits(fromHiddenStates: predicting).logSoftmax(alongAxis: -1)
                let values = logProbabilities.scalars
                let vocabulary = logProbabilities.shape[2]
                var best = -Double.infinity, bestChoice = -1
                for (choice, tokens) in item.choices.enumerated() {
                    var total = 0.0
                    for (position, token) in tokens.enumerated() {
                        total += Double(values[(choice * length + position) * vocabulary + token])
                    }
                    if total > best { best = total; bestChoice = choice }
                }
                if bestChoice == item.answer { correct += 1 }
            }
        }
        return Double(correct) / Double(max(items.count, 1))
    }
}

/// Why a ``NextSentenceTask`` could not be built.
public enum NextSentenceTaskError: Error, Equatable, CustomStringConvertible {
    /// The text yields fewer questions than asked for.
    case tooFewSentences(found: Int, needed: Int)

    /// A sentence naming the counts.
    public var description: String {
        switch self {
        case .tooFewSentences(let found, let needed):
            "next-sentence task: the text yields \(found) questions, \(needed) were asked for"
        }
    }
}
