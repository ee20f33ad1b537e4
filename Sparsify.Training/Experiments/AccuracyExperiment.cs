using System.Globalization;
using Sparsify.Training.Data;
using Sparsify.Core.Formats;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Sparsity.DataAware;
using Sparsify.Training;
using Sparsify.Runtime.Formats;

namespace Sparsify.Training.Experiments;

/// <summary>Settings of the accuracy table.</summary>
public sealed record AccuracyExperimentOptions
{
    /// <summary>Schemes compared (keep is left out: it reproduces another model's zeros, it has no target).</summary>
    public IReadOnlyList<string> Schemes { get; init; } = ["unstructured", "balanced", "locality", "nm", "filter"];

    /// <summary>Targets over the Conv and Gemm weights.</summary>
    public IReadOnlyList<double> Sparsities { get; init; } = [0.5, 0.75, 0.9, 0.95];

    /// <summary>Training of the dense baseline from scratch.</summary>
    public TrainingOptions Dense { get; init; } = new();

    /// <summary>
    /// Group-lasso strength for the model the locality rows start from: trained from scratch like the
    /// dense one, plus λ·Σ‖w_g‖₂ over the locality groups (SSL), so whole group columns reach zero
    /// before pruning.
    /// </summary>
    public double LocalityGroupLasso { get; init; } = 0.01;

    /// <summary>Masked fine-tuning after pruning.</summary>
    public TrainingOptions FineTune { get; init; } = TrainingOptions.FineTune;

    /// <summary>Seed of the model's initial weights, the shuffling and the calibration samples.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads for training and evaluation.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Training samples the sensitivity analysis measures on.</summary>
    public int CalibrationSamples { get; init; } = 64;

    /// <summary>Training samples the data-aware (calibrated) one-shot column prunes on.</summary>
    public int DataAwareSamples { get; init; } = 256;

    /// <summary>
    /// The classifier (the last Gemm, 10x500 = 1% of LeNet-5's weights) stays dense: every output
    /// row of it is one class, so pruning it costs accuracy out of all proportion to what it saves.
    /// </summary>
    public bool KeepClassifierDense { get; init; } = true;
}

/// <summary>
/// The accuracy table of the sparsification schemes on LeNet-5 / MNIST: train dense from scratch,
/// prune with each scheme at each sparsity (spread over the layers by measured sensitivity, first
/// conv dense), measure one-shot accuracy, fine-tune with the masks held, measure again.
/// </summary>
public static class AccuracyExperiment
{
    /// <summary>Runs the whole table; <paramref name="log"/> hears each step.</summary>
    public static AccuracyTable Run(MnistSplit data, AccuracyExperimentOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        log ??= _ => { };
        var threads = Math.Max(1, options.Threads);

        var dense = Train(data, options.Dense with { Seed = options.Seed, Threads = threads }, "dense", log);
        var denseAccuracy = Trainer.Evaluate(dense, data.Test, threads).Percent;
        var denseBytes = WeightMatrix.AllOf(dense).Sum(m => (long)m.Values.Length * FormatDefaults.Bytes16);
        log($"dense: {F(denseAccuracy)}%");

        byte[]? lassoModel = null;
        double lassoAccuracy = double.NaN;
        if (options.Schemes.Contains("locality", StringComparer.OrdinalIgnoreCase))
        {
            var lassoLayers = WeightMatrix.AllOf(dense).Select(m => m.LayerName).Skip(1).SkipLast(options.KeepClassifierDense ? 1 : 0).ToArray();
            var lasso = Train(data, options.Dense with { Seed = options.Seed, Threads = threads, GroupLassoLambda = options.LocalityGroupLasso, GroupLassoLayers = lassoLayers }, "group lasso", log);
            lassoAccuracy = Trainer.Evaluate(lasso, data.Test, threads).Percent;
            lassoModel = OnnxModel.ToBytes(lasso);
            log($"group lasso: {F(lassoAccuracy)}%");
        }

        var denseModel = OnnxModel.ToBytes(dense);
        var calibration = new[] { data.Train.Subsample(options.CalibrationSamples).Batch(0, options.CalibrationSamples) };
        var digits = data.Train.Subsample(options.DataAwareSamples);
        var dataAware = Enumerable.Range(0, options.DataAwareSamples).Select(i => digits.Batch(i, 1).Data).ToArray();
        var rows = new List<AccuracyRow>();
        foreach (var scheme in options.Schemes)
        {
            foreach (var sparsity in options.Sparsities)
            {
                var isLocality = string.Equals(scheme, "locality", StringComparison.OrdinalIgnoreCase);
                var model = isLocality ? lassoModel! : denseModel;
                var row = PruneAndFineTune(() => OnnxModel.Load(model), scheme, sparsity, data, calibration, dataAware, options, threads);
                rows.Add(row);
                log($"{scheme} {F(sparsity)}: one-shot {F(row.OneShot)}%, calibrated {F(row.OneShotCalibrated)}%, fine-tuned {F(row.FineTuned)}%");
            }
        }

        return new AccuracyTable(denseAccuracy, lassoAccuracy, denseBytes, rows, Setup(data, options, threads));
    }

    /// <summary>The format a scheme's weights are counted in: group for locality, PE for balanced, CSR otherwise.</summary>
    public static string FormatOf(string scheme) => scheme.ToUpperInvariant() switch
    {
        "LOCALITY" => "group",
        "BALANCED" => "PE",
        _ => "CSR",
    };

    /// <summary>
    /// The N:M pattern for a target: the smallest block M (4, 8, 10, 16, 20, …) in which N = (1 − s)·M
    /// is a whole number, so 2:4, 1:4, 1:10, 1:20 for 50, 75, 90, 95%.
    /// </summary>
    public static (int N, int M) NmPattern(double sparsity)
    {
        foreach (var m in new[] { 4, 8, 10, 16, 20, 32, 50, 100 })
        {
            var n = (1 - sparsity) * m;
            var whole = Math.Round(n);
            if (whole >= 1 && Math.Abs(n - whole) < 1e-9)
            {
                return ((int)whole, m);
            }
        }

        throw new ArgumentException($"no N:M pattern with M up to 100 has sparsity {sparsity}", nameof(sparsity));
    }

    private static AccuracyRow PruneAndFineTune(
        Func<ModelGraph> load, string scheme, double sparsity, MnistSplit data, Tensor[] calibration, float[][] dataAware, AccuracyExperimentOptions options, int threads)
    {
        var isNm = string.Equals(scheme, "nm", StringComparison.OrdinalIgnoreCase);
        var (n, m) = isNm ? NmPattern(sparsity) : (0, PeArrayDefaults.NmBlock);
        var graph = load();
        var pruningOptions = new ModelPruningOptions
        {
            Sparsity = sparsity,
            ExcludedLayers = options.KeepClassifierDense ? [WeightMatrix.AllOf(graph)[^1].LayerName] : [],
            Settings = SchemeSettings.Default with { N = isNm ? n : null, M = m },
            Sensitivity = new SensitivityOptions { CalibrationInputs = calibration, MaxDegreeOfParallelism = threads, Seed = options.Seed },
        };
        var pruning = ModelPruner.Prune(graph, scheme, pruningOptions);
        var oneShot = Trainer.Evaluate(graph, data.Test, threads).Percent;

        // The same target data-aware from the same starting model, spread by reconstruction error.
        var calibrated = load();
        DataAwarePruner.Prune(calibrated, SparsitySchemes.Get(scheme), pruningOptions, dataAware, new DataAwarePruningOptions { MaxDegreeOfParallelism = threads }, out _);
        var oneShotCalibrated = Trainer.Evaluate(calibrated, data.Test, threads).Percent;
        Trainer.Train(graph, data.Train, options.FineTune with { Seed = options.Seed, Threads = threads }, pruning.Masks);
        var fineTuned = Trainer.Evaluate(graph, data.Test, threads).Percent;
        var report = pruning.Report;
        return new AccuracyRow(scheme, sparsity, report.Sparsity, oneShot, oneShotCalibrated, fineTuned, report.NonZeros, Bytes(graph, pruning, scheme),
            report.MaxPrunedImbalance, isNm ? $"{n}:{m}" : null);
    }

    // Pruned layers in the scheme's format, dense ones as plain 16-bit arrays.
    private static long Bytes(ModelGraph graph, ModelPruning pruning, string scheme)
    {
        long bytes = 0;
        foreach (var matrix in WeightMatrix.AllOf(graph))
        {
            if (!pruning.Masks.TryGetValue(matrix.LayerName, out var mask) || mask.NonZeros == mask.Rows * mask.Columns)
            {
                bytes += (long)matrix.Values.Length * FormatDefaults.Bytes16;
                continue;
            }

            EncodedLayer encoded = FormatOf(scheme) switch
            {
                "group" => GroupEncoder.Encode(matrix, mask),
                "PE" => PeEncoder.Encode(matrix, mask),
                _ => CsrEncoder.Encode(matrix, mask),
            };
            bytes += encoded.CountBytes(FormatDefaults.Bytes16).Total;
        }

        return bytes;
    }

    private static ModelGraph Train(MnistSplit data, TrainingOptions options, string what, Action<string> log)
    {
        var graph = ModelBuilders.LeNet5(options.Seed);
        Trainer.Train(graph, data.Train, options with { Progress = p => log($"{what}: {p}") });
        return graph;
    }

    private static string[] Setup(MnistSplit data, AccuracyExperimentOptions options, int threads) =>
    [
        $"LeNet-5 (conv 20@5x5, pool, conv 50@5x5, pool, fc 500, ReLU, fc 10) trained from scratch on {data.Train.Count} MNIST digits (first 80% of each digit), tested on {data.Test.Count} (last 20%)",
        $"dense training: {options.Dense.Epochs} epochs, batch {options.Dense.BatchSize}, lr {F(options.Dense.LearningRate)} ({options.Dense.Schedule}), momentum {F(options.Dense.Momentum)}, weight decay {F(options.Dense.WeightDecay)}, shifts ±{options.Dense.AugmentShift} px, seed {options.Seed}, {threads} threads",
        $"locality rows start from a model trained the same way plus group lasso λ = {F(options.LocalityGroupLasso)} on the pruned layers' groups of G = {PeArrayDefaults.GroupSize} output channels (SSL); the other rows start from the dense model",
        $"pruning: the target is spread over the pruned layers by measured sensitivity on {options.CalibrationSamples} training digits; conv1 (500 weights){(options.KeepClassifierDense ? " and the classifier fc2 (5,000 weights)" : "")} stay dense; nm uses N:M = (1 - s)·M with the smallest fitting M",
        $"fine-tuning: {options.FineTune.Epochs} epochs from lr {F(options.FineTune.LearningRate)} with the masks held at zero",
        $"bytes: Conv/Gemm weights with 16-bit values in the scheme's format (locality: group format, balanced: PE format, others: CSR; {PeArrayDefaults.IndexBits}-bit relative indices, P = {PeArrayDefaults.PeCount}), dense layers at 2 bytes a weight",
    ];

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
