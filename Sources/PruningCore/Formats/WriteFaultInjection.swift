import Foundation

/// Injected write failures, for testing that a failed save leaves the previous files intact.
///
/// While ``plan`` is bound (with `WriteFaultInjection.$plan.withValue(...)`), every write of the
/// package's atomic writers (``SafeTensors``, ``NumPy``, ``AtomicFile``, ``FileTransaction``)
/// draws from the plan's byte allowance, and the first write that would exceed it throws
/// ``FormatError/writeFailed(file:reason:)`` as a full disk would.
package enum WriteFaultInjection {
    /// The active plan of the current task, if any.
    @TaskLocal package static var plan: Plan?

    /// A byte allowance shared by every write of one task.
    package final class Plan: @unchecked Sendable {
        /// The bytes that may still be written before the injected failure.
        package private(set) var remainingBytes: Int
        /// Whether the failure has been raised.
        package private(set) var hasFailed = false

        /// A plan that fails the write that would pass `byteCount` bytes in total.
        package init(failingAfter byteCount: Int) {
            remainingBytes = byteCount
        }

        /// Takes `count` bytes from the allowance; the failure reason when it runs out.
        func consume(_ count: Int) -> String? {
            if count > remainingBytes {
                hasFailed = true
                return "no space left on device (injected)"
            }
            remainingBytes -= count
            return nil
        }
    }
}
