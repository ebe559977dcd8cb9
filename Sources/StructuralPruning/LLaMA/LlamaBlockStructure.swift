/// The five selection vectors DISP-LLM learns in every LLaMA block (Gao et al., 2024, arXiv
/// 2410.11988, §3 and the official code's `virtual_*` gates): four along the residual-stream
/// dimension and one along the MLP width.
public enum LlamaBlockStructure: Int, CaseIterable, Sendable, Codable {
    /// S1: the residual dimensions the attention reads (columns of q/k/v_proj), width d.
    case attentionInput
    /// S2: the residual dimensions the attention writes (rows of o_proj), width d.
    case attentionOutput
    /// S3: the residual dimensions the MLP reads (columns of gate/up_proj), width d.
    case mlpInput
    /// S4: the MLP neurons (rows of gate/up_proj, columns of down_proj), width d_ff.
    case mlpIntermediate
    /// S5: the residual dimensions the MLP writes (rows of down_proj), width d.
    case mlpOutput

    /// The short name used in gate names and reports: `s1` … `s5`.
    public var shortName: String { "s\(rawValue + 1)" }
}
