namespace Sparsify.Tasks;

/// <summary>
/// The stable diagnostic codes of the Sparsify build tasks. Codes are never reused or renumbered:
/// users suppress and search for them. Every one is logged against the model item's file.
/// </summary>
public static class Diagnostics
{
    /// <summary>SPRS1001: the model file named by a <c>SparsifyModel</c> item does not exist.</summary>
    public const string MissingModelFile = "SPRS1001";

    /// <summary>
    /// SPRS1002: the model file cannot be read, holds a model Sparsify does not support or exceeds
    /// a limit (carries Core's message: file, node, problem), or compiling it failed unexpectedly
    /// (the message names the file and the failure; the stack goes to the detailed log).
    /// </summary>
    public const string UnreadableModel = "SPRS1002";

    /// <summary>SPRS1003: an item metadata value is malformed or out of range; the message names the metadata, the value and the valid values.</summary>
    public const string BadMetadata = "SPRS1003";

    /// <summary>SPRS1004: two items produce the same class name in the same namespace.</summary>
    public const string DuplicateClassName = "SPRS1004";

    /// <summary>SPRS1005: every value is well formed, but the compiler rejects their combination for this model (for example an unreachable sparsity target or an N:M pattern the sparsity does not give).</summary>
    public const string SettingsRejected = "SPRS1005";

    /// <summary>SPRS1006: the outputs could not be written (nothing partial is left behind).</summary>
    public const string OutputWriteFailed = "SPRS1006";

    /// <summary>SPRS1007: retired. It refused MSBuilds other than the .NET SDK's; those now compile the models as a separate .NET process.</summary>
    public const string UnsupportedMsBuild = "SPRS1007";

    /// <summary>SPRS1008: the package's source generator is not among the compilation's analyzers, so no model class would be generated (raised by Sparsify.Sdk.targets).</summary>
    public const string GeneratorMissing = "SPRS1008";

    /// <summary>
    /// SPRS1009: the calibration data cannot be used: no file matched, an image or tensor file is
    /// unreadable, of the wrong size or channel count, or a preprocessing setting does not fit the
    /// model; the message names the file and the setting.
    /// </summary>
    public const string BadCalibration = "SPRS1009";

    /// <summary>
    /// SPRS1010: no plan under the Sparsity bound keeps the FidelityTarget on the validation images;
    /// the message gives the best mean cosine reached. The previous outputs are kept.
    /// </summary>
    public const string FidelityTargetUnreachable = "SPRS1010";

    /// <summary>Every code with a one-line description, in order (for documentation and tests).</summary>
    public static IReadOnlyList<(string Code, string Description)> All { get; } =
    [
        (MissingModelFile, "model file not found"),
        (UnreadableModel, "model file unreadable or unsupported"),
        (BadMetadata, "bad item metadata value"),
        (DuplicateClassName, "two models produce the same class name"),
        (SettingsRejected, "settings rejected by the compiler for this model"),
        (OutputWriteFailed, "outputs could not be written"),
        (UnsupportedMsBuild, "retired: MSBuilds other than the .NET SDK's now compile out of process"),
        (GeneratorMissing, "the package's source generator is not in the compilation"),
        (BadCalibration, "calibration data unusable"),
        (FidelityTargetUnreachable, "fidelity target not reached by any plan"),
    ];
}
