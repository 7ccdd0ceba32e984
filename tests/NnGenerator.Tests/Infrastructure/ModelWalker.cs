using System;
using System.Collections.Generic;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace NnGen.Generator.Tests.Infrastructure;

/// <summary>
/// Walks an object graph through its instance fields (public and private, including compiler-generated backing fields
/// of records and the array inside EquatableArray) and array elements, and reports every place that holds, or is
/// declared to hold, a Roslyn object that must not outlive a pipeline step: it would break caching (never equal across
/// runs) or root an old compilation.
/// </summary>
internal static class ModelWalker
{
    private const int MaxDepth = 64;

    private static readonly Type[] Forbidden =
    [
        typeof(ISymbol),
        typeof(SyntaxNode),
        typeof(SyntaxTree),
        typeof(SyntaxReference),
        typeof(SyntaxToken),
        typeof(SyntaxTrivia),
        typeof(Location),
        typeof(Compilation),
        typeof(SemanticModel),
        typeof(Diagnostic),
        typeof(AttributeData),
    ];

    /// <summary>Paths like <c>NetworkSpec.&lt;Layers&gt;k__BackingField._items[0]</c> to each forbidden object; empty when clean.</summary>
    public static IReadOnlyList<string> FindForbidden(object? root, out int visited)
    {
        var problems = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        int count = 0;
        Walk(root, root?.GetType().Name ?? "null", 0);
        visited = count;
        return problems;

        void Walk(object? value, string path, int depth)
        {
            if (value is null)
            {
                return;
            }

            Type type = value.GetType();
            if (IsForbidden(type))
            {
                problems.Add($"{path} holds a {type.FullName}");
                return;
            }

            if (type.IsPrimitive || type.IsEnum || value is string or decimal or Type)
            {
                return;
            }

            if (depth > MaxDepth)
            {
                problems.Add($"{path}: deeper than {MaxDepth} levels (a cycle through value types?)");
                return;
            }

            if (!type.IsValueType && !seen.Add(value))
            {
                return;
            }

            count++;
            if (value is Array array)
            {
                int index = 0;
                foreach (object? item in array)
                {
                    Walk(item, $"{path}[{index++}]", depth + 1);
                }

                return;
            }

            if (value is Delegate)
            {
                problems.Add($"{path} holds a delegate ({type.FullName}), whose closure cannot be inspected or compared");
                return;
            }

            for (Type? current = type; current is not null && current != typeof(object) && current != typeof(ValueType); current = current.BaseType)
            {
                foreach (FieldInfo field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    string fieldPath = path + "." + field.Name;
                    Type declared = Nullable.GetUnderlyingType(field.FieldType) ?? field.FieldType;
                    if (IsForbidden(declared) || (declared.IsArray && IsForbidden(declared.GetElementType()!)))
                    {
                        problems.Add($"{fieldPath} is declared as {field.FieldType.FullName}");
                        continue;
                    }

                    Walk(field.GetValue(value), fieldPath, depth + 1);
                }
            }
        }
    }

    private static bool IsForbidden(Type type)
    {
        foreach (Type forbidden in Forbidden)
        {
            if (forbidden.IsAssignableFrom(type))
            {
                return true;
            }
        }

        return false;
    }
}
