/// Why a pruned ``DiffusionUNet`` shape or saved folder was rejected.
public enum DiffusionModelFileError: Error, Equatable, CustomStringConvertible {
    /// A shape entry that does not fit the configuration.
    case invalidShape(field: String, reason: String)

    /// A readable explanation naming the field.
    public var description: String {
        switch self {
        case .invalidShape(let field, let reason): "diffusion U-Net shape: \(field): \(reason)"
        }
    }
}
