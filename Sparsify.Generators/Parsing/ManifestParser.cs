using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Parsing;

/// <summary>
/// Reads manifest text (the format Sparsify.Core's ManifestWriter documents) into a <see cref="ModelSpec"/>.
/// Independent of Sparsify.Core on purpose: the generator loads into the compiler with Roslyn only.
/// Every problem becomes a <see cref="DiagnosticInfo"/> at the offending line; nothing throws.
/// </summary>
internal sealed partial class ManifestParser
{
    /// <summary>The newest format version this parser reads.</summary>
    public const int SupportedVersion = ManifestFormat.CurrentVersion;

    /// <summary>The ops the emitters cover.</summary>
    public static readonly string[] SupportedOps =
        ["Conv", "Gemm", "MaxPool", "AveragePool", "GlobalAveragePool", "Relu", "Add", "LRN", "Concat", "Flatten", "Reshape", "Softmax"];

    private readonly string _path;
    private readonly string[] _lines;
    private readonly List<DiagnosticInfo> _diagnostics = [];
    private readonly CancellationToken _cancellation;
    private int _index;

    private ManifestParser(string path, string text, CancellationToken cancellation)
    {
        _path = path;
        _lines = text.Replace("\r\n", "\n").Split('\n');
        _cancellation = cancellation;
    }

    /// <summary>Parses one manifest.</summary>
    public static ManifestResult Parse(ManifestFile file, CancellationToken cancellation)
    {
        var parser = new ManifestParser(file.Path, file.Text, cancellation);
        var model = parser.ParseModel(file);
        return new ManifestResult(parser._diagnostics.Count == 0 ? model : null, parser._diagnostics.ToEquatableArray());
    }

    private ModelSpec? ParseModel(ManifestFile file)
    {
        var first = _lines.Length > 0 ? _lines[0] : string.Empty;
        var signature = Split(first);
        if (signature.Key != ManifestFormat.Signature || !int.TryParse(signature.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            Report(DiagnosticDescriptors.NotAManifest, 0, System.IO.Path.GetFileName(_path), Truncate(first));
            return null;
        }

        if (version != SupportedVersion)
        {
            Report(DiagnosticDescriptors.UnsupportedVersion, 0, version.ToString(CultureInfo.InvariantCulture), SupportedVersion.ToString(CultureInfo.InvariantCulture));
            return null;
        }

        string? model = null, className = null, sha = null, source = null;
        var sourceLine = 0;
        long blobLength = -1;
        var inputs = new List<ValueSpec>();
        var outputs = new List<ValueSpec>();
        var layers = new List<LayerSpec>();
        var classLine = 0;
        var digestLine = -1;
        var headerSeen = 0;
        for (_index = 1; _index < _lines.Length; _index++)
        {
            _cancellation.ThrowIfCancellationRequested();
            var line = _lines[_index];
            if (line.Length == 0)
            {
                continue;
            }

            var (key, value) = Split(line);
            var header = Array.IndexOf(ManifestFormat.HeaderKeys, key);
            if (headerSeen < ManifestFormat.HeaderKeys.Length ? header != headerSeen : header >= 0)
            {
                // Nothing after a header out of order can be read as the runtime would read it.
                Corrupt($"the manifest opens with {string.Join(", ", ManifestFormat.HeaderKeys)}, once each and in that order; found '{key}' here");
                return null;
            }

            headerSeen += header >= 0 ? 1 : 0;
            switch (key)
            {
                case "model":
                    model = Name(value);
                    break;
                case "class":
                    className = Name(value);
                    classLine = _index;
                    break;
                case "source-sha256":
                    source = value == ManifestFormat.NoSource ? value : Hex(value);
                    sourceLine = _index;
                    break;
                case "blob-sha256":
                    sha = Hex(value);
                    break;
                case "blob-length":
                    blobLength = Long(value);
                    break;
                case "input":
                case "output":
                    var parts = value.Split(' ');
                    if (parts.Length != 2 || Dims(parts[1]) is not { } dims)
                    {
                        Corrupt($"'{key}' needs a name and dimensions like 1x3x224x224, found '{value}'");
                        break;
                    }

                    if (Name(parts[0]) is { } valueName)
                    {
                        (key == "input" ? inputs : outputs).Add(new ValueSpec(valueName, dims.ToEquatableArray()));
                    }

                    break;
                case "layer":
                    if (ParseLayer(Name(value)) is { } layer)
                    {
                        layers.Add(layer);
                    }

                    break;
                case ManifestFormat.DigestKey:
                    digestLine = _index;
                    break;
                default:
                    Corrupt($"unknown key '{key}'");
                    break;
            }
        }

        if (model is null || className is null || source is null || sha is null || blobLength < 0 || inputs.Count == 0 || outputs.Count == 0 || layers.Count == 0)
        {
            _index = _lines.Length - 1;
            Corrupt("the manifest is truncated: it needs model, class, source-sha256, blob-sha256, blob-length, at least one input, output and layer");
            return null;
        }

        if (!IsIdentifier(className))
        {
            Report(DiagnosticDescriptors.InvalidClassName, classLine, className);
        }

        var ns = file.Namespace;
        if (ns.Length > 0 && !IsNamespace(ns))
        {
            Report(DiagnosticDescriptors.InvalidNamespace, classLine, ns);
        }

        // After the lines are read, so a line that cannot be read is reported as such, and a well-formed edit
        // as an edit; the graph's consistency is checked for manifests whose digest holds (crafted, not edited).
        if (_diagnostics.Count == 0 && !ManifestFormat.HasValidDigest(file.Text))
        {
            Report(DiagnosticDescriptors.EditedManifest, digestLine >= 0 ? digestLine : _lines.Length - 1, System.IO.Path.GetFileName(_path));
            return null;
        }

        if (_diagnostics.Count == 0)
        {
            CheckGraph(inputs, outputs, layers, blobLength);
        }

        // The build passes the model items' current hashes: a manifest from another version of its model
        // (the compile step skipped, e.g. for a restored file with an older time stamp) is stale.
        if (_diagnostics.Count == 0 && file.ModelHashes.Length > 0 && source != ManifestFormat.NoSource
            && Array.IndexOf(file.ModelHashes.ToLowerInvariant().Split(',', ';'), source) < 0)
        {
            Report(DiagnosticDescriptors.StaleManifest, sourceLine, System.IO.Path.GetFileName(_path));
        }

        var resource = file.ResourceName.Length > 0 ? file.ResourceName : $"Sparsify.{(ns.Length > 0 ? ns + "." : string.Empty)}{className}.weights.bin";
        return new ModelSpec(ns, className, model, resource, sha, blobLength, inputs.ToEquatableArray(), outputs.ToEquatableArray(), layers.ToEquatableArray(), _path, classLine);
    }

    // Only over layers that all parsed: a layer refused above would make every reader of its output a second error.
    private void CheckGraph(List<ValueSpec> inputs, List<ValueSpec> outputs, List<LayerSpec> layers, long blobLength)
    {
        foreach (var (layer, problem) in GraphChecks.Problems(inputs, outputs, layers, blobLength))
        {
            if (layer is not null)
            {
                Report(DiagnosticDescriptors.InvalidLayer, layer.Line, layer.Name, problem);
            }
            else
            {
                _index = Array.FindIndex(_lines, l => l.StartsWith("input ", StringComparison.Ordinal) || l.StartsWith("output ", StringComparison.Ordinal));
                Corrupt(problem);
            }
        }
    }

    /// <summary>True for a class name or namespace segment (<see cref="ManifestFormat.IsTypeName"/>).</summary>
    public static bool IsIdentifier(string name) => ManifestFormat.IsTypeName(name);

    private static bool IsNamespace(string name) => Array.TrueForAll(name.Split('.'), IsIdentifier);

    private static (string Key, string Value) Split(string line)
    {
        var trimmed = line.TrimStart(' ');
        var space = trimmed.IndexOf(' ');
        return space < 0 ? (trimmed, string.Empty) : (trimmed.Substring(0, space), trimmed.Substring(space + 1));
    }

    private static string Truncate(string text) => text.Length > 60 ? text.Substring(0, 60) + "…" : text;

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, int lineIndex, params string[] arguments)
    {
        var length = lineIndex < _lines.Length ? _lines[lineIndex].Length : 0;
        _diagnostics.Add(new DiagnosticInfo(descriptor.Id, _path, lineIndex, length, arguments.ToEquatableArray()));
    }

    private void Corrupt(string message) => Report(DiagnosticDescriptors.CorruptLine, _index, $"line {_index + 1}: {message}");
}

/// <summary>One manifest as the pipeline hands it to the parser: its path, text and the build's settings.</summary>
/// <param name="Path">The file's path, for diagnostics.</param>
/// <param name="Text">Its text.</param>
/// <param name="Namespace">The namespace to generate into (empty: global).</param>
/// <param name="ResourceName">The blob's resource name (empty: the default).</param>
/// <param name="ModelHashes">The SHA-256 of every model item of the build, ','-separated (empty: not known, not checked).</param>
internal sealed record ManifestFile(string Path, string Text, string Namespace, string ResourceName, string ModelHashes = "");
