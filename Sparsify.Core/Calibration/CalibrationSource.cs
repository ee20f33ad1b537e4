using Sparsify.Core.Ir;

namespace Sparsify.Core.Calibration;

/// <summary>
/// Where a build or command takes its calibration data from and how much of it: the settings the
/// <c>Calibration*</c> metadata and the CLI's <c>--calibration*</c> options both become, resolved in
/// this one place.
/// </summary>
public sealed record CalibrationSource
{
    /// <summary>The default number of files used.</summary>
    public const int DefaultCount = 256;

    /// <summary>The default fraction of them held out for validation.</summary>
    public const double DefaultValidationFraction = 0.2;

    /// <summary>Folder, glob or files separated by ';' (see <see cref="CalibrationFiles.Resolve"/>).</summary>
    public required string Files { get; init; }

    /// <summary>Relative parts of <see cref="Files"/> are taken from here; null: the current directory.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Files used at most, evenly spaced over the sorted list (default 256).</summary>
    public int Count { get; init; } = DefaultCount;

    /// <summary>Fraction of the used files held out to validate the result, never calibrated on (default 0.2).</summary>
    public double ValidationFraction { get; init; } = DefaultValidationFraction;

    /// <summary>How images become model inputs.</summary>
    public ImagePreprocessing Preprocessing { get; init; } = new();

    /// <summary>The files that would be used, without reading them (a build tracks them as inputs).</summary>
    public IReadOnlyList<string> ResolveFiles() => CalibrationFiles.Select(CalibrationFiles.Resolve(Files, BaseDirectory), Count);

    /// <summary>Loads the files for <paramref name="modelInput"/> and splits them into calibration and validation.</summary>
    /// <exception cref="CalibrationDataException">A file or setting is bad.</exception>
    public (CalibrationSet Calibration, CalibrationSet Validation) Load(Shape modelInput, IProgress<int>? progress = null) =>
        CalibrationSet.Load(ResolveFiles(), modelInput, Preprocessing, progress).Split(ValidationFraction);
}
