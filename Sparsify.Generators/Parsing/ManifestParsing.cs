using System;
using System.Collections.Generic;
using System.Threading;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Parsing;

/// <summary>
/// Reads one manifest with the format's one reader (<see cref="ManifestReader"/>, linked from the runtime) and
/// turns what it refuses into a diagnostic at the offending line; adds what only the generator checks: the
/// class and namespace as C# names, and that the manifest comes from a model the build still holds.
/// </summary>
internal static class ManifestParsing
{
    /// <summary>Parses one manifest; nothing throws but cancellation.</summary>
    public static ManifestResult Parse(ManifestFile file, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var lines = file.Text.Replace("\r\n", "\n").Split('\n');
        var diagnostics = new List<DiagnosticInfo>();
        void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, int line, params string[] arguments)
        {
            var length = line < lines.Length ? lines[line].Length : 0;
            diagnostics.Add(new DiagnosticInfo(descriptor.Id, file.Path, line, length, arguments.ToEquatableList()));
        }

        Manifest manifest;
        ManifestLines at;
        try
        {
            manifest = ManifestReader.Read(file.Text, out at);
        }
        catch (ManifestException e)
        {
            var fileName = System.IO.Path.GetFileName(file.Path);
            switch (e.Problem)
            {
                case ManifestProblem.NotAManifest:
                    Report(DiagnosticDescriptors.NotAManifest, 0, fileName, Truncate(lines[0]));
                    break;
                case ManifestProblem.UnsupportedVersion:
                    Report(
                        DiagnosticDescriptors.UnsupportedVersion, 0, Truncate(lines[0].Substring(ManifestFormat.Signature.Length).Trim()),
                        ManifestFormat.CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ManifestProblem.Edited:
                    Report(DiagnosticDescriptors.EditedManifest, e.Line, fileName);
                    break;
                case ManifestProblem.UnknownOp:
                    Report(DiagnosticDescriptors.UnknownOp, e.Line, e.Layer ?? string.Empty, e.Detail);
                    break;
                case ManifestProblem.InvalidLayer or ManifestProblem.InvalidStep when e.Layer is not null:
                    Report(DiagnosticDescriptors.InvalidLayer, e.Line, e.Layer, e.Detail);
                    break;
                default:
                    Report(DiagnosticDescriptors.CorruptLine, e.Line, FormattableString.Invariant($"line {e.Line + 1}: {e.Detail}"));
                    break;
            }

            return new ManifestResult(null, diagnostics.ToEquatableList());
        }

        if (!ManifestFormat.IsTypeName(manifest.ClassName))
        {
            Report(DiagnosticDescriptors.InvalidClassName, at.Class, manifest.ClassName);
        }

        var ns = file.Namespace;
        if (ns.Length > 0 && !Array.TrueForAll(ns.Split('.'), ManifestFormat.IsTypeName))
        {
            Report(DiagnosticDescriptors.InvalidNamespace, at.Class, ns);
        }

        // The build passes the model items' current hashes: a manifest from another version of its model
        // (the compile step skipped, e.g. for a restored file with an older time stamp) is stale.
        if (diagnostics.Count == 0 && file.ModelHashes.Length > 0 && manifest.SourceSha256 != ManifestFormat.NoSource
            && Array.IndexOf(file.ModelHashes.ToLowerInvariant().Split(',', ';'), manifest.SourceSha256) < 0)
        {
            Report(DiagnosticDescriptors.StaleManifest, at.Source, System.IO.Path.GetFileName(file.Path));
        }

        if (diagnostics.Count > 0)
        {
            return new ManifestResult(null, diagnostics.ToEquatableList());
        }

        var resource = file.ResourceName.Length > 0 ? file.ResourceName : $"Sparsify.{(ns.Length > 0 ? ns + "." : string.Empty)}{manifest.ClassName}.weights.bin";
        return new ManifestResult(new ModelSpec(ns, resource, manifest, at, file.Path), diagnostics.ToEquatableList());
    }

    private static string Truncate(string text) => text.Length > 60 ? text.Substring(0, 60) + "…" : text;
}

/// <summary>One manifest as the pipeline hands it to the parser: its path, text and the build's settings.</summary>
/// <param name="Path">The file's path, for diagnostics.</param>
/// <param name="Text">Its text.</param>
/// <param name="Namespace">The namespace to generate into (empty: global).</param>
/// <param name="ResourceName">The blob's resource name (empty: the default).</param>
/// <param name="ModelHashes">The SHA-256 of every model item of the build, ','-separated (empty: not known, not checked).</param>
internal sealed record ManifestFile(string Path, string Text, string Namespace, string ResourceName, string ModelHashes = "");
