extension ByteLevelBPETokenizer {
    /// Builds the tokenizer stored in a GGUF file's metadata.
    ///
    /// Reads `tokenizer.ggml.model` (must be `gpt2`), `tokenizer.ggml.pre` (`gpt2` or `smollm`),
    /// `tokenizer.ggml.tokens`, `tokenizer.ggml.merges`, and when present
    /// `tokenizer.ggml.token_type`, `tokenizer.ggml.{bos,eos,unknown,padding}_token_id` and
    /// `tokenizer.ggml.add_bos_token`.
    ///
    /// - Throws: ``GGUFError`` for missing or ill-typed keys; ``ByteLevelBPEError`` for another
    ///   tokenizer model or pre-tokenizer, or an inconsistent vocabulary.
    public convenience init(gguf file: GGUFFile) throws {
        let model = try file.string(forKey: "tokenizer.ggml.model")
        guard model == "gpt2" else { throw ByteLevelBPEError.unsupportedModel(file: file.path, model: model) }
        let preName = try file.string(forKey: "tokenizer.ggml.pre")
        guard let preTokenizer = PreTokenizer(rawValue: preName) else {
            throw ByteLevelBPEError.unsupportedPreTokenizer(file: file.path, name: preName)
        }
        func optionalID(_ name: String) throws -> Int? {
            let key = "tokenizer.ggml.\(name)_token_id"
            return file.metadata[key] == nil ? nil : try file.int(forKey: key)
        }
        let addBOSKey = "tokenizer.ggml.add_bos_token"
        let typeKey = "tokenizer.ggml.token_type"
        let tokens = try file.strings(forKey: "tokenizer.ggml.tokens")
        let merges = try file.strings(forKey: "tokenizer.ggml.merges")
        let tokenTypes = file.metadata[typeKey] == nil ? nil : try file.ints(forKey: typeKey)
        let ids = try (optionalID("bos"), optionalID("eos"), optionalID("unknown"), optionalID("padding"))
        let addsBOS = file.metadata[addBOSKey] == nil ? false : try file.bool(forKey: addBOSKey)
        do {
            try self.init(
                tokens: tokens, merges: merges, tokenTypes: tokenTypes, preTokenizer: preTokenizer,
                bosTokenID: ids.0, eosTokenID: ids.1, unknownTokenID: ids.2, paddingTokenID: ids.3, addsBOS: addsBOS)
        } catch let error as ByteLevelBPEError {
            throw ByteLevelBPEError.inFile(file: file.path, error: error)
        }
    }
}
