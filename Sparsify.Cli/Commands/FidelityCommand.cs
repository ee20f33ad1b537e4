using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sparsify.Training.Experiments;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Core.IO;
using Sparsify.Core.Calibration;
using Spectre.Console;

namespace Sparsify.Cli.Commands;

/// <summary>
/// <c>sparsify fidelity MODEL</c>: prunes a model one-shot with each scheme at each target and
/// reports how far its outputs move from the dense model's. With real images (<c>--calibration</c>
/// and/or <c>--data</c>) it compares magnitude with data-aware pruning on held-out images: mean and
/// worst cosine and self-retrieval; without, on seeded image-like inputs.
/// </summary>
internal static class FidelityCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The ONNX model file." };
        var schemes = new Option<string[]>("--schemes")
        {
            Description = "Schemes to compare.",
            DefaultValueFactory = _ => ["unstructured", "balanced", "locality", "nm", "filter"],
            AllowMultipleArgumentsPerToken = true,
        };
        var sparsities = new Option<double[]>("--sparsities")
        {
            Description = "Targets, each in [0, 1).",
            DefaultValueFactory = _ => [0.5, 0.7, 0.9],
            AllowMultipleArgumentsPerToken = true,
        };
        var inputs = new Option<int>("--inputs") { Description = "Seeded inputs compared.", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seed of the inputs.", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Also write the rows as JSON (replaced atomically).", HelpName = "FILE.json" };
        var group = new Option<int>("--group") { Description = "G: output channels that share one nonzero pattern (locality).", HelpName = "G", DefaultValueFactory = _ => PeArrayDefaults.GroupSize };
        var calibration = new CalibrationOptions("--calibration", "Images (or .f32 inputs) to calibrate data-aware pruning on: a folder, a glob, or files separated by ';'. Its held-out part is measured on unless --data is given.");
        var data = new Option<string?>("--data") { Description = "Images (or .f32 inputs) to measure on, none of them a calibration file: a folder, a glob, or files separated by ';'.", HelpName = "DIR|GLOB" };
        var command = new Command("fidelity", "Prune one-shot with each scheme and target; report how close the outputs stay to the dense model's, on real images when given.")
        {
            model, schemes, sparsities, inputs, seed, json, group, data,
        };
        calibration.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            var path = parse.GetValue(model)!;
            var names = parse.GetValue(schemes)!;
            foreach (var name in names)
            {
                _ = SparsitySchemes.Get(name);
            }

            if (parse.GetValue(data) is not null || parse.GetValue(calibration.Files) is not null)
            {
                return RealData(context, parse, path, names, parse.GetValue(sparsities)!, parse.GetValue(group), calibration, parse.GetValue(data), parse.GetValue(json));
            }

            var table = new Table().AddColumns("scheme", "target", "sparsity", "nonzeros", "rel. error", "cosine", "imbalance");
            var rows = OneShotFidelity.Measure(() => OnnxModel.Load(path), names, parse.GetValue(sparsities)!, parse.GetValue(inputs), parse.GetValue(seed),
                progress: row => context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Scheme} {row.TargetSparsity:0.00}: cosine {row.Cosine:F4}")));
            foreach (var row in rows)
            {
                table.AddRow(row.Scheme, F(row.TargetSparsity, "0.00"), F(row.Sparsity, "0.0000"), F(row.NonZeros, "N0"), F(row.RelativeError, "0.0000"), F(row.Cosine, "0.0000"), F(row.Imbalance, "0.000"));
            }

            context.Console.Write(table);
            if (parse.GetValue(json) is { } jsonPath)
            {
                var document = new { model = Path.GetFileName(path), allocation = "uniform, first conv dense", nmBlock = OneShotFidelity.NmBlock, inputs = parse.GetValue(inputs), seed = parse.GetValue(seed), rows };
                AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(document, JsonOptions.Indented));
            }

            return 0;
        }, parse.GetValue(model)));
        return command;
    }

    private static int RealData(CliContext context, ParseResult parse, string path, string[] schemes, double[] sparsities, int group, CalibrationOptions calibration, string? data, string? json)
    {
        var input = OnnxModel.Load(path).Inputs[0].Shape.WithBatch(1);
        var (calibrationSet, validation) = calibration.Read(parse) is { } source
            ? source.Load(input)
            : (null, null);
        var heldOut = validation;
        if (data is not null)
        {
            var measured = calibration.ReadFor(parse, data) with { Count = int.MaxValue, ValidationFraction = 0 };
            heldOut = measured.Load(input).Calibration;
            var calibrationFiles = (calibrationSet?.Samples ?? []).Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
            var shared = heldOut.Samples.Count(s => calibrationFiles.Contains(s.Path));
            if (shared > 0)
            {
                throw new CliException($"{shared} of the --data files are also calibration files; fidelity is measured on images the calibration never saw");
            }
        }

        if (heldOut is null || heldOut.Samples.Count == 0)
        {
            throw new CliException("no held-out inputs to measure on: give --data, or a --validation-fraction above 0 with --calibration");
        }

        var calibrationInputs = calibrationSet?.Samples.Select(s => s.Input).ToArray() ?? [];
        var heldOutInputs = heldOut.Samples.Select(s => s.Input).ToArray();
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{calibrationInputs.Length} calibration inputs, {heldOutInputs.Length} held-out inputs"));
        var settings = SchemeSettings.Default with { GroupSize = group, M = OneShotFidelity.NmBlock };
        var rows = RealDataFidelity.Measure(() => OnnxModel.Load(path), schemes, sparsities, settings, calibrationInputs, heldOutInputs, Environment.ProcessorCount,
            row => context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Scheme} {row.Method} {row.TargetSparsity:0.00}: mean cosine {row.Fidelity.MeanCosine:F4} ({row.Seconds:F0} s)")),
            context.Error.WriteLine);
        var table = new Table().AddColumns("scheme", "pruning", "target", "sparsity", "mean cosine", "min cosine", "self-retrieval", "seconds");
        foreach (var row in rows)
        {
            table.AddRow(row.Scheme, row.Method, F(row.TargetSparsity, "0.00"), F(row.Sparsity, "0.0000"), F(row.Fidelity.MeanCosine, "0.0000"), F(row.Fidelity.MinCosine, "0.0000"), F(row.Fidelity.SelfRetrieval, "0.000"), F(row.Seconds, "0"));
        }

        context.Console.Write(table);
        if (json is not null)
        {
            var document = new { model = Path.GetFileName(path), allocation = "uniform, first conv dense", groupSize = group, nmBlock = OneShotFidelity.NmBlock, calibration = calibrationInputs.Length, heldOut = heldOut.Samples.Select(s => Path.GetFileName(s.Path)), rows };
            AtomicFile.WriteAllText(json, JsonSerializer.Serialize(document, JsonOptions.Indented));
        }

        return 0;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
