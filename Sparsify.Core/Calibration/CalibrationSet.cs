using System.Globalization;
using Sparsify.Core.Ir;

namespace Sparsify.Core.Calibration;

/// <summary>One calibration input: the file it came from and the model input it makes, batch 1.</summary>
/// <param name="Path">The image or tensor file, as given to <see cref="CalibrationSet.Load"/>.</param>
/// <param name="Input">The model input, row-major [1, C, H, W] (or the input's shape for a <c>.f32</c> file).</param>
public sealed record CalibrationSample(string Path, float[] Input);

/// <summary>
/// Model inputs made from calibration files (photos or raw tensors), in the files' order, for
/// data-aware pruning: sensitivity is measured on them and, with a validation part, checked on others.
/// </summary>
public sealed class CalibrationSet
{
    private CalibrationSet(IReadOnlyList<CalibrationSample> samples) => Samples = samples;

    /// <summary>The samples, in the order of the files they came from.</summary>
    public IReadOnlyList<CalibrationSample> Samples { get; }

    /// <summary>
    /// Makes one model input per file: a <c>.jpg</c>, <c>.jpeg</c> or <c>.png</c> image through
    /// <paramref name="preprocessing"/>, a <c>.f32</c> file as it is (raw little-endian float32 of
    /// exactly the input's element count). Files are decoded in parallel, but the result, in the order of
    /// <paramref name="files"/>, is bitwise the same on every run; when files are bad, the error is the
    /// first bad file's.
    /// </summary>
    /// <param name="files">The files, usually from <see cref="CalibrationFiles.Resolve"/>.</param>
    /// <param name="modelInput">The model's input shape: batch 1, and [1, 3, H, W] for images.</param>
    /// <param name="preprocessing">How images become inputs; checked with <see cref="ImagePreprocessing.Validate"/>.</param>
    /// <param name="progress">Told the number of files done so far after each one, from any thread.</param>
    /// <exception cref="CalibrationDataException">A file or setting is bad; the error names it.</exception>
    public static CalibrationSet Load(IReadOnlyList<string> files, Shape modelInput, ImagePreprocessing preprocessing, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(modelInput);
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (files.Count == 0)
        {
            throw new CalibrationDataException("no calibration files are given", setting: CalibrationSettings.Files);
        }

        if (modelInput.Rank == 0 || modelInput[0] != 1)
        {
            throw new CalibrationDataException($"calibration inputs are batch 1, but the model input is {modelInput}; compile for batch 1", setting: CalibrationSettings.Files);
        }

        // Settings are checked even when only tensors are given, so a wrong one never waits for an image to show.
        var resolved = modelInput.Rank == 4 ? preprocessing.Resolve(modelInput) : null;
        var preprocessor = files.Any(ImageFiles.IsImage) && resolved is not null && modelInput[1] == 3 ? Preprocessor.Create(resolved) : null;

        var samples = new CalibrationSample[files.Count];
        var errors = new CalibrationDataException?[files.Count];
        var firstError = int.MaxValue;
        var done = 0;
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            // Files after a bad one need not be read, but every file before it must be, so that the
            // error reported is always the first bad file's.
            if (i > Volatile.Read(ref firstError))
            {
                return;
            }

            try
            {
                samples[i] = new CalibrationSample(files[i], LoadOne(files[i], modelInput, preprocessor));
            }
            catch (CalibrationDataException e)
            {
                errors[i] = e;
                int seen;
                while (i < (seen = Volatile.Read(ref firstError)) && Interlocked.CompareExchange(ref firstError, i, seen) != seen)
                {
                }
            }

            progress?.Report(Interlocked.Increment(ref done));
        });

        if (firstError != int.MaxValue)
        {
            throw errors[firstError]!;
        }

        return new CalibrationSet(samples);
    }

    /// <summary>
    /// Divides the set into calibration and validation samples, both in the set's order: sample i
    /// (from 0) is for validation when floor((i + 1) × <paramref name="validationFraction"/>) &gt;
    /// floor(i × <paramref name="validationFraction"/>), which spreads floor(n × fraction) validation
    /// samples evenly. The same set and fraction always give the same division.
    /// </summary>
    /// <exception cref="CalibrationDataException">The fraction is outside [0, 1), or leaves no calibration sample.</exception>
    public (CalibrationSet Calibration, CalibrationSet Validation) Split(double validationFraction)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
        {
            throw new CalibrationDataException(
                $"the validation fraction must be at least 0 and below 1, got {validationFraction.ToString("R", CultureInfo.InvariantCulture)}",
                setting: CalibrationSettings.ValidationFraction);
        }

        var calibration = new List<CalibrationSample>();
        var validation = new List<CalibrationSample>();
        for (var i = 0; i < Samples.Count; i++)
        {
            var isValidation = Math.Floor((i + 1) * validationFraction) > Math.Floor(i * validationFraction);
            (isValidation ? validation : calibration).Add(Samples[i]);
        }

        if (calibration.Count == 0)
        {
            throw new CalibrationDataException(
                $"a validation fraction of {validationFraction.ToString("R", CultureInfo.InvariantCulture)} of {Samples.Count.ToString(CultureInfo.InvariantCulture)} samples leaves none for calibration",
                setting: CalibrationSettings.ValidationFraction);
        }

        return (new CalibrationSet(calibration), new CalibrationSet(validation));
    }

    private static float[] LoadOne(string path, Shape modelInput, Preprocessor? preprocessor)
    {
        float[] input;
        if (ImageFiles.IsTensor(path))
        {
            input = ImageFiles.ReadTensor(path, modelInput.ElementCount, CalibrationSettings.Files);
        }
        else if (!ImageFiles.IsImage(path))
        {
            throw new CalibrationDataException(
                $"'{Path.GetExtension(path)}' is not a calibration file type; use {string.Join(", ", CalibrationFiles.FolderExtensions)}",
                path, CalibrationSettings.Files);
        }
        else if (preprocessor is null)
        {
            throw new CalibrationDataException($"images need a model input shaped [1, 3, H, W]; this model's input is {modelInput}; give .f32 tensors instead", path, CalibrationSettings.Files);
        }
        else
        {
            input = preprocessor.Apply(path);
        }

        var bad = Array.FindIndex(input, v => !float.IsFinite(v));
        return bad < 0
            ? input
            : throw new CalibrationDataException($"value {bad.ToString(CultureInfo.InvariantCulture)} of the input is {input[bad].ToString(CultureInfo.InvariantCulture)}; calibration inputs must be finite", path, CalibrationSettings.Files);
    }
}
