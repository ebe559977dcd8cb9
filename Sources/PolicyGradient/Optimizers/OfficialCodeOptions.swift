/// The deviations of the official BGPO code (`gaosh/BGPO`, `Algorithms/BGPO.py` and
/// `Algorithms/VR_BPO.py`) from the algorithms as the paper states them, which
/// ``BGPOOptimizer`` and ``VRBGPOOptimizer`` reproduce when given these options:
///
/// - the momentum weight is β_{t+1} = max(``momentumFloor``, min(1, c·η_t²)) for both methods
///   (the paper: c·η_t for BGPO, c·η_t² for VR-BGPO, no floor);
/// - the direction handed to the mirror map is clamped element-wise to ±min(‖g‖₂, ``gradientClamp``),
///   with g the current gradient; BGPO keeps the clamped u as its momentum, VR-BGPO the
///   unclamped one;
/// - ``clampsNegativeAdvantages``: every Ψ < 0 is set to 0 before the gradient (the code's
///   `loss_clip`, always on for BGPO, per script for VR-BGPO);
/// - VR-BGPO's importance weights are per-step ratios clipped to
///   [``importanceWeightThreshold`` − 1, ``importanceWeightThreshold``] instead of the
///   trajectory product;
/// - VR-BGPO's step size uses the 0-based iteration count (η for the first step is η_0).
///
/// Set separately: the code's Diag second moment starts at u_1² (``DiagonalMirrorMap`` with
/// ``DiagonalMirrorMap/Initialization/firstSquare``), and its objective is a mean over steps
/// (``GradientAveraging/perStep`` on the estimator, e.g. ``GeneralizedAdvantageEstimator`` with
/// λ = 0.97 as in its scripts).
///
/// Not reproduced: the code's first VR-BGPO step u = +g (a sign error: every later step uses
/// −g); its minibatch structure (10 passes over minibatches of a 5,000–50,000-step batch, each
/// minibatch an iteration t) and its refreshing the "old" policy once per batch rather than
/// using the previous iterate θ_t; feeding the Diag second moment the unclamped u while
/// stepping with the clamped one (here the map sees the direction it steps with).
public struct OfficialCodeOptions: Sendable, Equatable {
    /// The lower bound on the momentum weight (`m_lower`). Default 0.3.
    public var momentumFloor: Float
    /// g_max, the largest clamp bound for the direction. Default 1 (most scripts; the Lp runs
    /// use 0.05–0.1).
    public var gradientClamp: Float
    /// Whether negative Ψ are set to 0.
    public var clampsNegativeAdvantages: Bool
    /// th, the upper clip of per-step importance ratios (the lower is th − 1). Default 1.2.
    public var importanceWeightThreshold: Float

    /// Options; see the properties for the defaults.
    public init(
        momentumFloor: Float = 0.3, gradientClamp: Float = 1, clampsNegativeAdvantages: Bool,
        importanceWeightThreshold: Float = 1.2
    ) {
        precondition((0...1).contains(momentumFloor) && gradientClamp > 0 && importanceWeightThreshold > 1,
                     "OfficialCodeOptions: need momentumFloor in [0, 1], gradientClamp > 0, importanceWeightThreshold > 1")
        self.momentumFloor = momentumFloor
        self.gradientClamp = gradientClamp
        self.clampsNegativeAdvantages = clampsNegativeAdvantages
        self.importanceWeightThreshold = importanceWeightThreshold
    }

    /// The BGPO code's behaviour: negative advantages clamped.
    public static let bgpo = OfficialCodeOptions(clampsNegativeAdvantages: true)
    /// The VR-BGPO code's default: advantages not clamped.
    public static let vrbgpo = OfficialCodeOptions(clampsNegativeAdvantages: false)

    /// The clamp bound min(‖g‖₂, g_max) for gradient `g`.
    func clampBound(for gradient: [Float]) -> Float {
        Swift.min(FlatVector.norm(gradient), gradientClamp)
    }

    /// max(floor, min(1, c·η²)).
    func momentumWeight(coefficient: Float, previousStepSize eta: Float) -> Float {
        Swift.max(momentumFloor, Swift.min(1, coefficient * eta * eta))
    }
}
