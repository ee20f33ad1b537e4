namespace Sparsify.Core.Calibration;

/// <summary>
/// The one error raised for calibration data Sparsify cannot use: a missing, unreadable, corrupt or
/// oversized image or tensor file, a file spec that matches nothing, or a preprocessing setting that
/// does not fit the model. The message reads "FILE: problem" (or just the problem when no file is
/// at fault), and <see cref="Setting"/> names the setting to fix, so one log line is enough to act on.
/// </summary>
public sealed class CalibrationDataException : Exception
{
    /// <summary>Creates an error about <paramref name="filePath"/> (or about no file) and <paramref name="setting"/>.</summary>
    public CalibrationDataException(string problem, string? filePath = null, string? setting = null, Exception? innerException = null)
        : base(filePath is null ? problem : filePath + ": " + problem, innerException)
    {
        Problem = problem;
        FilePath = filePath;
        Setting = setting;
    }

    /// <summary>What is wrong, without the file.</summary>
    public string Problem { get; }

    /// <summary>The image, tensor, preprocessing model or file spec at fault, when one is.</summary>
    public string? FilePath { get; }

    /// <summary>The name of the setting at fault (one of <see cref="CalibrationSettings"/>), when known.</summary>
    public string? Setting { get; }
}
