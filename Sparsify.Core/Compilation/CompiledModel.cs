using System.Text;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>What <see cref="ModelCompiler"/> produces: the manifest, the weight blob and the report.</summary>
public sealed class CompiledModel
{
    private readonly byte[] _blob;

    internal CompiledModel(Manifest manifest, string manifestText, byte[] blob, CompilationReport report, ModelPruning pruning, IReadOnlyList<LayerPlan> plans)
    {
        Manifest = manifest;
        ManifestText = manifestText;
        _blob = blob;
        Report = report;
        Pruning = pruning;
        Plans = plans;
    }

    /// <summary>The manifest as a model.</summary>
    public Manifest Manifest { get; }

    /// <summary>The manifest text (what <c>&lt;base&gt;.manifest</c> holds).</summary>
    public string ManifestText { get; }

    /// <summary>The weight blob (what <c>&lt;base&gt;.weights.bin</c> holds).</summary>
    public ReadOnlyMemory<byte> Blob => _blob;

    /// <summary>The per-layer report.</summary>
    public CompilationReport Report { get; }

    /// <summary>The pruning: masks and the sparsity report.</summary>
    public ModelPruning Pruning { get; }

    /// <summary>Every layer's plan, in execution order.</summary>
    public IReadOnlyList<LayerPlan> Plans { get; }

    /// <summary>The three file names for <paramref name="baseName"/>: manifest, blob, report.</summary>
    public static (string Manifest, string Blob, string Report) FileNames(string baseName) =>
        ($"{baseName}.manifest", $"{baseName}.weights.bin", $"{baseName}.report.txt");

    /// <summary>
    /// Writes <c>&lt;base&gt;.manifest</c>, <c>&lt;base&gt;.weights.bin</c> and <c>&lt;base&gt;.report.txt</c>
    /// into <paramref name="directory"/> (created if needed), as nearly all-or-nothing as a file system
    /// allows: all three go to temporary files beside their targets first, and only when all are
    /// complete and flushed are they renamed over the targets, the manifest last (it names the blob's
    /// hash, so a crash between renames leaves a mismatch the run time detects rather than a silent one).
    /// Temporary files are removed on failure.
    /// </summary>
    /// <returns>The full paths written: manifest, blob, report.</returns>
    public (string Manifest, string Blob, string Report) WriteTo(string directory, string baseName)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(baseName);
        if (baseName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || baseName.Contains('/', StringComparison.Ordinal) || baseName.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"base name '{baseName}' is not a plain file name", nameof(baseName));
        }

        var full = Path.GetFullPath(directory);
        Directory.CreateDirectory(full);
        var names = FileNames(baseName);
        var utf8 = new UTF8Encoding(false);

        // Blob, report, manifest: the order the renames happen in.
        var files = new (string Target, byte[] Bytes)[]
        {
            (Path.Combine(full, names.Blob), _blob),
            (Path.Combine(full, names.Report), utf8.GetBytes(Report.ToText())),
            (Path.Combine(full, names.Manifest), utf8.GetBytes(ManifestText)),
        };
        var temps = new List<string>();
        try
        {
            foreach (var (target, bytes) in files)
            {
                var temp = Path.Combine(full, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
                temps.Add(temp);
                using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            for (var i = 0; i < files.Length; i++)
            {
                File.Move(temps[i], files[i].Target, overwrite: true);
            }
        }
        finally
        {
            foreach (var temp in temps.Where(File.Exists))
            {
                File.Delete(temp);
            }
        }

        return (files[2].Target, files[0].Target, files[1].Target);
    }
}
