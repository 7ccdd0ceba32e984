using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using NnGen.Generator.Model;

namespace NnGen.Generator.Emit
{
    /// <summary>
    /// Plain names in generated code, the way the Regex generator writes its implementation: emitters write every
    /// framework and runtime name fully qualified (<see cref="RuntimeNames"/>); this pass imports their namespaces with
    /// <c>using global::…;</c> directives at the top of the emitted namespace (so they reach no other file) and writes
    /// each name plainly, except a name the user's code already gives another meaning at the network's declaration (a
    /// type in its namespace, a member of the class or of a base class, a global using): that one stays qualified, so
    /// no user type can change what generated code binds to.
    /// </summary>
    internal static class ImportedNames
    {
        /// <summary>The namespaces generated code may import, in the order their directives are written.</summary>
        public static readonly string[] Namespaces =
        {
            "System",
            "System.Buffers",
            "System.CodeDom.Compiler",
            "System.Collections.Generic",
            "System.IO",
            "System.Numerics",
            "System.Numerics.Tensors",
            "System.Runtime.CompilerServices",
            "System.Runtime.InteropServices",
            "System.Runtime.Intrinsics",
            "NnGen",
            "NnGen.Data",
            "NnGen.Kernels",
        };

        /// <summary>The line an emitter writes where the using directives go; replaced by <see cref="Apply"/>.</summary>
        public const string Marker = "\u0001usings\u0001";

        private static readonly Regex QualifiedName = new(@"global::([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)", RegexOptions.CultureInvariant);

        /// <summary>Every type generated code names, as namespace-qualified name → (namespace, simple name), from <see cref="RuntimeNames"/>.</summary>
        private static readonly Dictionary<string, (string Namespace, string Name)> Types = BuildTypes();

        /// <summary>The simple names of every type generated code may write plainly: what the parser checks for shadowing.</summary>
        public static IEnumerable<string> SimpleNames => Types.Values.Select(type => type.Name).Distinct().OrderBy(name => name, StringComparer.Ordinal);

        /// <summary>The namespace of each type <see cref="SimpleNames"/> lists, so the parser can tell the intended type from another.</summary>
        public static IEnumerable<(string Namespace, string Name)> All => Types.Values.OrderBy(type => type.Name, StringComparer.Ordinal);

        /// <summary>
        /// Writes <paramref name="source"/>'s qualified names plainly where that is safe and replaces the
        /// <see cref="Marker"/> line with the using directives of the namespaces the plain names came from.
        /// </summary>
        /// <param name="shadowed">Simple names the user's code gives another meaning at the declaration; they stay qualified.</param>
        public static string Apply(string source, EquatableArray<string> shadowed)
        {
            var keep = new HashSet<string>(shadowed, StringComparer.Ordinal);
            var used = new HashSet<string>(StringComparer.Ordinal);
            var output = new StringBuilder(source.Length);
            string? markerIndent = null;
            int markerAt = -1;
            foreach (string line in source.Split('\n'))
            {
                string trimmed = line.TrimStart();
                if (trimmed == Marker)
                {
                    markerIndent = line.Substring(0, line.Length - trimmed.Length);
                    markerAt = output.Length;
                    continue;
                }

                // A using alias is bound without the file's other using directives, so its target stays qualified.
                output.Append(trimmed.StartsWith("using ", StringComparison.Ordinal) ? line : Simplify(line, keep, used)).Append('\n');
            }

            output.Length--;
            if (markerAt >= 0 && used.Count > 0)
            {
                var directives = new StringBuilder();
                foreach (string ns in Namespaces.Where(used.Contains))
                {
                    directives.Append(markerIndent).Append("using global::").Append(ns).Append(";\n");
                }

                // Aliases follow the directives as one block; otherwise a blank line sets them apart from the type.
                bool aliasesFollow = string.CompareOrdinal(output.ToString(markerAt, System.Math.Min(output.Length - markerAt, markerIndent!.Length + 6)), markerIndent + "using ") == 0;
                output.Insert(markerAt, directives.Append(aliasesFollow ? string.Empty : "\n").ToString());
            }

            return output.ToString();
        }

        private static string Simplify(string line, HashSet<string> shadowed, HashSet<string> used) =>
            line.IndexOf("global::", StringComparison.Ordinal) < 0 ? line : QualifiedName.Replace(line, match =>
            {
                string[] segments = match.Groups[1].Value.Split('.');
                for (int k = segments.Length - 1; k >= 1; k--)
                {
                    string ns = string.Join(".", segments, 0, k);
                    if (Types.TryGetValue(ns + "." + segments[k], out var type) && !shadowed.Contains(type.Name))
                    {
                        used.Add(ns);
                        return string.Join(".", segments, k, segments.Length - k);
                    }
                }

                return match.Value;
            });

        private static Dictionary<string, (string Namespace, string Name)> BuildTypes()
        {
            var types = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            IEnumerable<string> values = typeof(RuntimeNames)
                .GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(field => field.IsLiteral && field.FieldType == typeof(string))
                .Select(field => (string)field.GetRawConstantValue()!);
            foreach (string value in values)
            {
                foreach (Match match in QualifiedName.Matches(value))
                {
                    // The namespace is the longest importable prefix; what follows it is the type (and then its members).
                    string chain = match.Groups[1].Value;
                    string? ns = Namespaces.Where(candidate => chain.StartsWith(candidate + ".", StringComparison.Ordinal)).OrderByDescending(candidate => candidate.Length).FirstOrDefault();
                    if (ns is null)
                    {
                        continue;
                    }

                    string rest = chain.Substring(ns.Length + 1);
                    int dot = rest.IndexOf('.');
                    string name = dot < 0 ? rest : rest.Substring(0, dot);
                    types[ns + "." + name] = (ns, name);
                }
            }

            return types;
        }
    }
}
