import PruningCore

/// A parameter-less module that only names submodules (for paths such as `features.3` or
/// `patch_embed.proj` whose parent has no forward pass of its own).
final class ModuleList: Module {
    let children: [(String, any Module)]
    var isTraining = true

    init(_ children: [(String, any Module)]) { self.children = children }
}
