using System.Collections.Generic;
using System.Text;

namespace Sparsify.Tasks.Tool;

/// <summary>
/// The model items, with their metadata, as the out-of-process compile reads them: one line a value,
/// <c>item PATH</c> then <c>meta NAME VALUE</c> lines, values escaped so any text fits on one line.
/// Written by the ToolTask, read by the compiler; this file is compiled into both.
/// </summary>
internal static class ModelItemsFile
{
    public static string Write(IEnumerable<(string Path, IEnumerable<KeyValuePair<string, string>> Metadata)> items)
    {
        var text = new StringBuilder();
        foreach (var (path, metadata) in items)
        {
            text.Append("item ").Append(Escape(path)).Append('\n');
            foreach (var pair in metadata)
            {
                text.Append("meta ").Append(Escape(pair.Key)).Append(' ').Append(Escape(pair.Value)).Append('\n');
            }
        }

        return text.ToString();
    }

    public static List<(string Path, Dictionary<string, string> Metadata)> Read(string text)
    {
        var items = new List<(string Path, Dictionary<string, string> Metadata)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("item ", System.StringComparison.Ordinal))
            {
                items.Add((Unescape(line.Substring(5)), new Dictionary<string, string>(System.StringComparer.OrdinalIgnoreCase)));
            }
            else if (line.StartsWith("meta ", System.StringComparison.Ordinal) && items.Count > 0)
            {
                var space = line.IndexOf(' ', 5);
                var name = space < 0 ? line.Substring(5) : line.Substring(5, space - 5);
                items[items.Count - 1].Metadata[Unescape(name)] = space < 0 ? string.Empty : Unescape(line.Substring(space + 1));
            }
        }

        return items;
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace(" ", "\\s");

    private static string Unescape(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i + 1 == value.Length)
            {
                text.Append(value[i]);
                continue;
            }

            var c = value[++i];
            text.Append(c switch { 'n' => '\n', 'r' => '\r', 's' => ' ', _ => c });
        }

        return text.ToString();
    }
}
