namespace Sparsify.Core.Calibration;

/// <summary>The names of the calibration settings, as <see cref="CalibrationDataException.Setting"/> gives them.</summary>
public static class CalibrationSettings
{
    /// <summary>The calibration files (folders, globs or files separated by ';').</summary>
    public const string Files = "Calibration";

    /// <summary>How many calibration files to use.</summary>
    public const string Count = "CalibrationCount";

    /// <summary>The fraction of the files kept for validation.</summary>
    public const string ValidationFraction = "CalibrationValidationFraction";

    /// <summary><see cref="ImagePreprocessing.Size"/>.</summary>
    public const string Size = "CalibrationSize";

    /// <summary><see cref="ImagePreprocessing.ResizeShortSide"/>.</summary>
    public const string ResizeShortSide = "CalibrationResize";

    /// <summary><see cref="ImagePreprocessing.ChannelOrder"/>.</summary>
    public const string ChannelOrder = "CalibrationChannelOrder";

    /// <summary><see cref="ImagePreprocessing.Scale"/>.</summary>
    public const string Scale = "CalibrationScale";

    /// <summary><see cref="ImagePreprocessing.Mean"/>.</summary>
    public const string Mean = "CalibrationMean";

    /// <summary><see cref="ImagePreprocessing.Std"/>.</summary>
    public const string Std = "CalibrationStd";

    /// <summary><see cref="ImagePreprocessing.MeanImage"/>.</summary>
    public const string MeanImage = "CalibrationMeanImage";
}
