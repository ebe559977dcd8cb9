import PruningCore

/// A parameterless module that only names its children, giving checkpoint paths such as
/// `encoder.layer.3` their intermediate components.
final class BERTModuleGroup: Module {
    var isTraining = true
    let children: [(String, any Module)]

    init(_ children: [(String, any Module)]) {
        self.children = children
    }
}
