using System.Collections.Generic;
using System.Text;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// Keeps emitted lines within <see cref="Width"/> columns, as a person would wrap them: comments and XML docs
    /// between words (never inside a tag), code after a comma or before a binary <c>+</c>, never inside a literal or a
    /// trailing comment, continuation lines indented one step further. It runs on the finished file, after
    /// <see cref="ImportedNames"/> has shortened the names, so a line is wrapped only if it is still long.
    /// </summary>
    internal static class LineWrapper
    {
        public const int Width = 140;
        private const string Continuation = "    ";

        public static string Wrap(string source)
        {
            var output = new StringBuilder(source.Length + (source.Length / 16));
            string[] lines = source.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (i > 0)
                {
                    output.Append('\n');
                }

                string line = lines[i];
                if (line.Length <= Width)
                {
                    output.Append(line);
                    continue;
                }

                string trimmed = line.TrimStart();
                string indent = line.Substring(0, line.Length - trimmed.Length);
                if (trimmed.StartsWith("///", System.StringComparison.Ordinal))
                {
                    WrapWords(output, indent + "/// ", trimmed.Substring(3).TrimStart(), insideTagsToo: false);
                }
                else if (trimmed.StartsWith("//", System.StringComparison.Ordinal))
                {
                    WrapWords(output, indent + "// ", trimmed.Substring(2).TrimStart(), insideTagsToo: true);
                }
                else
                {
                    WrapCode(output, indent, trimmed);
                }
            }

            return output.ToString();
        }

        private static void WrapWords(StringBuilder output, string prefix, string text, bool insideTagsToo)
        {
            var breaks = new List<int>();
            int depth = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                depth += c == '<' ? 1 : c == '>' && depth > 0 ? -1 : 0;
                if (c == ' ' && (insideTagsToo || depth == 0))
                {
                    breaks.Add(i);
                }
            }

            Emit(output, prefix, prefix, text, breaks, Width - prefix.Length, dropBreakCharacter: true);
        }

        private static void WrapCode(StringBuilder output, string indent, string code)
        {
            // Break after ", " and before " + "; nothing inside string or character literals or after a "//" comment.
            var breaks = new List<int>();
            char quote = '\0';
            for (int i = 0; i < code.Length - 1; i++)
            {
                char c = code[i];
                if (quote != '\0')
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        quote = '\0';
                    }

                    continue;
                }

                if (c == '"' || c == '\'')
                {
                    quote = c;
                }
                else if (c == '/' && code[i + 1] == '/')
                {
                    break;
                }
                else if (c == ',' && code[i + 1] == ' ')
                {
                    breaks.Add(i + 1);
                }
                else if (c == ' ' && code[i + 1] == '+' && i + 2 < code.Length && code[i + 2] == ' ')
                {
                    breaks.Add(i);
                }
            }

            Emit(output, indent, indent + Continuation, code, breaks, Width - indent.Length, dropBreakCharacter: true);
        }

        /// <summary>Greedy: each line takes the last break that fits, or the first one after, so nothing is lost.</summary>
        private static void Emit(StringBuilder output, string firstPrefix, string prefix, string text, List<int> breaks, int firstWidth, bool dropBreakCharacter)
        {
            int start = 0;
            int width = firstWidth;
            string linePrefix = firstPrefix;
            int next = 0;
            while (text.Length - start > width)
            {
                int chosen = -1;
                for (; next < breaks.Count && breaks[next] - start <= width; next++)
                {
                    if (breaks[next] > start)
                    {
                        chosen = breaks[next];
                    }
                }

                if (chosen < 0)
                {
                    while (next < breaks.Count && breaks[next] <= start)
                    {
                        next++;
                    }

                    if (next == breaks.Count)
                    {
                        break;
                    }

                    chosen = breaks[next++];
                }

                output.Append(linePrefix).Append(text, start, chosen - start).Append('\n');
                start = dropBreakCharacter ? chosen + 1 : chosen;
                linePrefix = prefix;
                width = Width - prefix.Length;
            }

            output.Append(linePrefix).Append(text, start, text.Length - start);
        }
    }
}
