using System.Globalization;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Sparsify.Core;
using Sparsify.Core.Calibration;
using Sparsify.Core.Compilation;
using Sparsify.Core.Onnx;

namespace Sparsify.Tasks;

/// <summary>
/// Compiles each <c>SparsifyModel</c> item (an ONNX file) into <c>&lt;Namespace&gt;.&lt;ClassName&gt;.manifest</c>,
/// <c>.weights.bin</c> and <c>.report.txt</c> under <see cref="OutputDirectory"/>. A thin adapter over
/// <see cref="ModelCompiler"/>: it parses item metadata (see <see cref="SparsifyMetadata"/>), reports
/// problems with the codes of <see cref="Diagnostics"/> against the item's file, and writes each model's
/// three files all-or-nothing. One item's failure leaves no outputs for it; the others still compile.
/// </summary>
public sealed class SparsifyCompile : Microsoft.Build.Utilities.Task
{
    /// <summary>The models: item spec = path of the ONNX file; metadata as in <see cref="SparsifyMetadata"/>.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary>Where the manifests, blobs and reports go (created if needed).</summary>
    [Required]
    public string OutputDirectory { get; set; } = string.Empty;

    /// <summary>
    /// The manifests of every model that compiled or was up to date, with metadata <c>ClassName</c>,
    /// <c>Namespace</c>, <c>SourceModel</c> and <c>Compiled</c> (false: kept, its model and settings unchanged).
    /// </summary>
    [Output]
    public ITaskItem[] Manifests { get; private set; } = [];

    /// <summary>The weight blobs written, with the same metadata as <see cref="Manifests"/>.</summary>
    [Output]
    public ITaskItem[] WeightBlobs { get; private set; } = [];

    /// <summary>The reports written, with the same metadata as <see cref="Manifests"/>.</summary>
    [Output]
    public ITaskItem[] Reports { get; private set; } = [];

    /// <summary>Each model's compile record (<see cref="CompileRecord"/>: what its outputs came from), for <c>dotnet clean</c>.</summary>
    [Output]
    public ITaskItem[] Records { get; private set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        var parsed = new List<(ITaskItem Item, ModelItemSettings Settings)>();
        foreach (var item in Models ?? [])
        {
            try
            {
                parsed.Add((item, ModelItemSettings.Parse(item)));
            }
            catch (ItemSettingsException e)
            {
                Error(item, e.Code, e.Message);
            }
        }

        // Same class (or same output files, which differ only by case on some file systems): none of them compiles.
        var duplicates = parsed.GroupBy(p => p.Settings.BaseName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).ToArray();
        foreach (var group in duplicates)
        {
            foreach (var (item, settings) in group)
            {
                var others = string.Join(", ", group.Where(o => o.Item != item).Select(o => $"'{o.Item.ItemSpec}'"));
                var where = settings.Namespace.Length == 0 ? "the global namespace" : $"namespace '{settings.Namespace}'";
                Error(item, Diagnostics.DuplicateClassName, $"class name '{settings.ClassName}' in {where} is also produced by {others}; set the {SparsifyMetadata.ClassName} or {SparsifyMetadata.Namespace} metadata of one of them");
            }
        }

        var clashing = duplicates.SelectMany(g => g).Select(p => p.Item).ToHashSet();
        var manifests = new List<ITaskItem>();
        var blobs = new List<ITaskItem>();
        var reports = new List<ITaskItem>();
        var records = new List<ITaskItem>();
        foreach (var (item, settings) in parsed.Where(p => !clashing.Contains(p.Item)))
        {
            if (UpToDateOrCompile(item, settings) is not { } written)
            {
                continue;
            }

            manifests.Add(Output(written.Manifest, settings, written.Compiled));
            blobs.Add(Output(written.Blob, settings, written.Compiled));
            reports.Add(Output(written.Report, settings, written.Compiled));
            records.Add(Output(CompileRecord.PathFor(Path.GetDirectoryName(written.Manifest)!, settings.BaseName), settings, written.Compiled));
        }

        Manifests = [.. manifests];
        WeightBlobs = [.. blobs];
        Reports = [.. reports];
        Records = [.. records];
        return !Log.HasLoggedErrors;
    }

    // Per model: outputs whose record matches this item's model file, settings and compiler are kept, so a
    // change to one of several models recompiles that one alone.
    private (string Manifest, string Blob, string Report, bool Compiled)? UpToDateOrCompile(ITaskItem item, ModelItemSettings settings)
    {
        var names = CompiledModel.FileNames(settings.BaseName);
        string? record = null;
        var description = string.Empty;
        try
        {
            var directory = Path.GetFullPath(OutputDirectory);
            var outputs = (Manifest: Path.Combine(directory, names.Manifest), Blob: Path.Combine(directory, names.Blob), Report: Path.Combine(directory, names.Report));
            record = CompileRecord.PathFor(directory, settings.BaseName);
            description = CompileRecord.Describe(settings.ModelPath, SettingsText(item) + CalibrationText(settings));
            if (CompileRecord.IsUpToDate(record, description, [outputs.Manifest, outputs.Blob, outputs.Report]))
            {
                Log.LogMessage(MessageImportance.Normal, "{0}", $"Sparsify: {settings.BaseName} is up to date ({settings.ModelPath} and its settings unchanged)");
                return (outputs.Manifest, outputs.Blob, outputs.Report, false);
            }

            CompileRecord.Forget(record);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException or CalibrationDataException)
        {
            // A path that cannot be examined: compile, which reports what is wrong with it.
            record = null;
        }

        if (Compile(item, settings) is not { } written)
        {
            return null;
        }

        try
        {
            if (record is not null)
            {
                CompileRecord.Write(record, description);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without its record the model compiles again next time; the outputs themselves are complete.
            Log.LogMessage(MessageImportance.Low, "{0}", $"Sparsify: cannot write {record}: {e.Message}");
        }

        return (written.Manifest, written.Blob, written.Report, true);
    }

    // Every metadata value that shapes the outputs, and the task's own build.
    private static string SettingsText(ITaskItem item) =>
        string.Join('\n', SparsifyMetadata.All.Select(name => $"{name}={item.GetMetadata(name)}"))
        + "\ntask " + typeof(SparsifyCompile).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    // The calibration files as they are now (path, length, time stamp) and the mean image: a changed,
    // added or removed image recompiles the model. Files that cannot be listed make the compile run
    // and report why.
    private static string CalibrationText(ModelItemSettings settings)
    {
        if (settings.Options.Calibration is not { } source)
        {
            return string.Empty;
        }

        var files = source.ResolveFiles().ToList();
        if (source.Preprocessing.MeanImage is { } meanImage)
        {
            files.Add(meanImage);
        }

        var text = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            text.Append(CultureInfo.InvariantCulture, $"\ncalibration {info.FullName} {(info.Exists ? info.Length : -1)} {(info.Exists ? info.LastWriteTimeUtc.Ticks : 0)}");
        }

        return text.ToString();
    }

    private (string Manifest, string Blob, string Report)? Compile(ITaskItem item, ModelItemSettings settings)
    {
        // A directory exists but is no file: the loader says so under SPRS1002.
        if (!File.Exists(settings.ModelPath) && !Directory.Exists(settings.ModelPath))
        {
            Error(item, Diagnostics.MissingModelFile, $"model file '{settings.ModelPath}' does not exist");
            return null;
        }

        CompiledModel compiled;
        try
        {
            var graph = OnnxModel.Load(settings.ModelPath, settings.Import);
            settings.CheckLayers(graph);

            // The manifest records which file it came from; the generator compares it with the model items' current hashes.
            compiled = ModelCompiler.Compile(
                graph, settings.Options with { SourceSha256 = Sha256Of(settings.ModelPath) },
                message => Log.LogMessage(MessageImportance.Normal, "{0}", $"Sparsify: {settings.BaseName}: {message}"));
        }
        catch (CalibrationDataException e)
        {
            Error(item, Diagnostics.BadCalibration, e.Setting is { } setting ? $"{e.Message} (metadata {setting})" : e.Message);
            return null;
        }
        catch (FidelityTargetException e)
        {
            Error(item, Diagnostics.FidelityTargetUnreachable, $"{e.Message} (metadata {SparsifyMetadata.FidelityTarget})");
            return null;
        }
        catch (ItemSettingsException e)
        {
            Error(item, e.Code, e.Message);
            return null;
        }
        catch (SparsifyModelException e)
        {
            Error(item, Diagnostics.UnreadableModel, e.InFile(settings.ModelPath).Message);
            return null;
        }
        catch (IOException e)
        {
            Error(item, Diagnostics.UnreadableModel, $"{settings.ModelPath}: {e.Message}");
            return null;
        }
        catch (ArgumentException e)
        {
            Error(item, Diagnostics.SettingsRejected, SettingErrors.Describe(e));
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever else escapes the compiler is still this model's failure: one line against
            // the file (never MSBuild's MSB4018 with a stack), the stack only for detailed logs.
            Unexpected(item, Diagnostics.UnreadableModel, $"{settings.ModelPath}: cannot compile the model", e);
            return null;
        }

        (string Manifest, string Blob, string Report) written;
        try
        {
            written = compiled.WriteTo(OutputDirectory, settings.BaseName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(item, Diagnostics.OutputWriteFailed, $"cannot write the outputs for '{settings.BaseName}' to '{OutputDirectory}': {e.Message}");
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Unexpected(item, Diagnostics.OutputWriteFailed, $"cannot write the outputs for '{settings.BaseName}' to '{OutputDirectory}'", e);
            return null;
        }

        Log.LogMessage(MessageImportance.Normal, "{0}", Table(compiled.Report));
        Log.LogMessage(MessageImportance.High, "{0}", $"Sparsify: {compiled.Report.Summary} -> {written.Manifest}");
        Log.LogMessage(MessageImportance.High, "{0}", $"Sparsify: {settings.BaseName}: {compiled.Report.DataLine}");
        Log.LogMessage(MessageImportance.Normal, "{0}", $"Sparsify: {settings.BaseName}: {compiled.Report.ExecutionLine}");
        if (compiled.Report.Calibration?.Plan is { } plan)
        {
            Log.LogMessage(MessageImportance.High, "{0}", $"Sparsify: {settings.BaseName}: {plan.Line}");
            Log.LogMessage(MessageImportance.High, "{0}", $"Sparsify: {settings.BaseName}: {plan.LayersLine}");
        }
        return written;
    }

    /// <summary>A compact per-layer table: layer, op, matrix, sparsity, nonzeros, format, plan.</summary>
    internal static string Table(CompilationReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var t = new StringBuilder();
        t.Append(c, $"Sparsify: {report.Model} ({report.Scheme})\n");
        t.Append(c, $"  {"layer",-14} {"op",-12} {"matrix",-11} {"sparsity",8} {"nonzeros",10} {"format",-8} plan\n");
        foreach (var r in report.Rows)
        {
            t.Append(c, $"  {r.Layer,-14} {r.Op,-12} {r.Matrix,-11} {r.Sparsity,8:0.0000} {r.NonZeros,10:N0} {r.Format,-8} {r.Plan}\n");
        }

        return t.ToString().TrimEnd('\n');
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static TaskItem Output(string path, ModelItemSettings settings, bool compiled)
    {
        var item = new TaskItem(path);
        item.SetMetadata("Compiled", compiled ? "true" : "false");
        item.SetMetadata(SparsifyMetadata.ClassName, settings.ClassName);
        item.SetMetadata(SparsifyMetadata.Namespace, settings.Namespace);
        item.SetMetadata("SourceModel", settings.ModelPath);
        return item;
    }

    // One line each: a build log shows an error's first line against the file.
    private void Error(ITaskItem item, string code, string message) =>
        Log.LogError(null, code, null, item.GetMetadata("FullPath"), 0, 0, 0, 0, "{0}", OneLine(message));

    private void Unexpected(ITaskItem item, string code, string what, Exception e)
    {
        var problem = e is OutOfMemoryException ? "out of memory" : $"{e.GetType().Name}: {e.Message}";
        Error(item, code, $"{what}: {problem}");
        Log.LogMessage(MessageImportance.Low, "{0}", e.ToString());
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
