-- Quarto's Markdown extensions on the Pandoc AST, for the built-in engine: numbered figures
-- (with subfigures and layout), tables, equations and sections; @fig-/@tbl-/@eq-/@sec-
-- cross-references; callouts; the pagebreak marker. Whatever Quarto treats specially and this
-- filter does not implement stops the render with "QMDRENDER|<text to find>|<construct>",
-- which the engine turns into file:line.

local stringify = pandoc.utils.stringify
local KINDS = {fig = "Figure", tbl = "Table", eq = "Equation", sec = "Section"}
local CALLOUTS = {note = "Note", tip = "Tip", warning = "Warning", caution = "Caution",
                  important = "Important"}
local COLOURS = {note = "#2c6fbb", tip = "#2e8b57", warning = "#d98c00", caution = "#d35400",
                 important = "#c0392b"}
local numbers = {}          -- id -> displayed text ("Figure 2", "Figure 2(a)")
local refused, prefixes = {}, {}
local number_sections = false
local has_bibliography = false

local function refuse(needle, construct)
  error("QMDRENDER|" .. needle .. "|" .. construct, 0)
end

local function kind_of(id)
  local kind = id:match("^(%a+)%-")
  if kind and KINDS[kind] then return kind end
end

local function is_image_para(block)
  return (block.t == "Para" or block.t == "Plain") and #block.content == 1
    and block.content[1].t == "Image"
end

local function subfigures(blocks)
  local subs = {}
  for _, block in ipairs(blocks) do
    if (block.t == "Div" or block.t == "Figure") and kind_of(block.identifier) == "fig" then
      table.insert(subs, block)
    end
  end
  return subs
end

local function equation_id(inlines, i)
  -- DisplayMath followed by (Space) Str "{#eq-x}"
  local j = i + 1
  if inlines[j] and inlines[j].t == "Space" then j = j + 1 end
  local s = inlines[j]
  if s and s.t == "Str" then
    local id = s.text:match("^{#(eq%-[%w_%-]+)}$")
    if id then return id, j end
  end
end

local function table_id(tbl)
  if kind_of(tbl.identifier) == "tbl" then return tbl.identifier end
  local caption = tbl.caption.long
  if #caption == 0 then return end
  local last = caption[#caption]
  local inlines = last.content
  local s = inlines[#inlines]
  if s and s.t == "Str" then return s.text:match("^{#(tbl%-[%w_%-]+)}$") end
end

-- Pass 1: number everything in document order.
local function count(doc)
  local counters = {fig = 0, tbl = 0, eq = 0}
  local sections = {0, 0, 0, 0, 0, 0}
  local function add(kind, id, needle)
    if numbers[id] then refuse(needle or ("#" .. id), "a second label '" .. id .. "'") end
    counters[kind] = counters[kind] + 1
    numbers[id] = KINDS[kind] .. " " .. counters[kind]
  end
  local subs = {}
  return doc:walk {
    traverse = "topdown",
    Header = function(h)
      if number_sections and not h.classes:includes("unnumbered") then
        sections[h.level] = sections[h.level] + 1
        for l = h.level + 1, 6 do sections[l] = 0 end
        local parts = {}
        for l = 1, h.level do table.insert(parts, tostring(sections[l])) end
        local text = table.concat(parts, ".")
        h.attributes["number"] = text
        if kind_of(h.identifier) == "sec" then numbers[h.identifier] = "Section " .. text end
        return h
      elseif kind_of(h.identifier) == "sec" then
        numbers[h.identifier] = false
      end
    end,
    Div = function(div)
      local kind = kind_of(div.identifier)
      if (kind == "fig" or kind == "tbl") and not subs[div.identifier] then
        add(kind, div.identifier)
        for i, sub in ipairs(subfigures(div.content)) do
          subs[sub.identifier] = true
          numbers[sub.identifier] = numbers[div.identifier] .. "(" .. string.char(96 + i) .. ")"
        end
      end
    end,
    Figure = function(fig)
      if kind_of(fig.identifier) == "fig" and not subs[fig.identifier] then
        add("fig", fig.identifier)
      end
    end,
    Table = function(tbl)
      local id = table_id(tbl)
      if id then add("tbl", id, "{#" .. id .. "}") end
    end,
    Inlines = function(inlines)
      for i, el in ipairs(inlines) do
        if el.t == "Math" and el.mathtype == "DisplayMath" then
          local id = equation_id(inlines, i)
          if id then add("eq", id, "{#" .. id .. "}") end
        end
      end
    end,
  }
end

local function caption_inlines(id, inlines)
  local out = pandoc.Inlines {pandoc.Str(numbers[id] .. ":")}
  if #inlines > 0 then
    out:insert(pandoc.Space())
    out:extend(inlines)
  end
  return out
end

-- Split a float div into its content and its caption (the last paragraph).
local function float_parts(div)
  local content = pandoc.Blocks(div.content)
  local caption = pandoc.Inlines {}
  local last = content[#content]
  if last and last.t == "Para" and not is_image_para(last) then
    caption = last.content
    content:remove(#content)
  end
  return content, caption
end

local function image_blocks(blocks)
  -- images of a subfigure: Para[Image] become Plain so no implicit figure nests
  local out = pandoc.Blocks {}
  for _, b in ipairs(blocks) do
    if b.t == "Figure" then out:extend(b.content) else out:insert(b) end
  end
  return out
end

local function layout(cells, ncol)
  if FORMAT:match("html") then
    local rows = pandoc.Blocks {}
    for i = 1, #cells, ncol do
      local row = pandoc.Div({}, {class = "quarto-layout-row"})
      for j = i, math.min(i + ncol - 1, #cells) do
        row.content:insert(pandoc.Div(cells[j], {class = "quarto-layout-cell",
          style = string.format("flex-basis: %.4f%%;", 100 / ncol)}))
      end
      rows:insert(row)
    end
    return rows
  end
  local rows = {}
  for i = 1, #cells, ncol do
    local row = {}
    for j = i, i + ncol - 1 do table.insert(row, cells[j] or pandoc.Blocks {}) end
    table.insert(rows, row)
  end
  local aligns, widths = {}, {}
  for _ = 1, ncol do
    table.insert(aligns, pandoc.AlignCenter)
    table.insert(widths, 1 / ncol)
  end
  return pandoc.Blocks {pandoc.utils.from_simple_table(
    pandoc.SimpleTable({}, aligns, widths, {}, rows))}
end

local function figure(el)
  local content, caption
  if el.t == "Figure" then
    content, caption = pandoc.Blocks(el.content), stringify(el.caption.long) ~= "" and
      el.caption.long[1].content or pandoc.Inlines {}
  else
    content, caption = float_parts(el)
  end
  local subs = subfigures(content)
  if #subs > 0 then
    local ncol = tonumber(el.attributes["layout-ncol"])
    local nrow = tonumber(el.attributes["layout-nrow"])
    if not ncol then ncol = nrow and math.ceil(#subs / nrow) or 1 end
    local cells = {}
    for i, sub in ipairs(subs) do
      local sub_content, sub_caption = float_parts(sub)
      if sub.t == "Figure" then
        sub_content = pandoc.Blocks(sub.content)
        sub_caption = #sub.caption.long > 0 and sub.caption.long[1].content or pandoc.Inlines {}
      end
      local label = pandoc.Inlines {pandoc.Str("(" .. string.char(96 + i) .. ")")}
      if #sub_caption > 0 then
        label:insert(pandoc.Space())
        label:extend(sub_caption)
      end
      table.insert(cells, pandoc.Blocks {pandoc.Figure(image_blocks(sub_content),
        {pandoc.Plain(label)}, {id = sub.identifier})})
    end
    content = layout(cells, ncol)
  else
    content = image_blocks(content)
  end
  return pandoc.Figure(content, {pandoc.Plain(caption_inlines(el.identifier, caption))},
    {id = el.identifier, class = "quarto-float"})
end

local function table_float(id, content, caption)
  local cap = pandoc.Para(caption_inlines(id, caption))
  local head = pandoc.Div({cap}, {class = "table-caption", ["custom-style"] = "Table Caption"})
  local blocks = pandoc.Blocks {head}
  blocks:extend(content)
  return pandoc.Div(blocks, {id = id, class = "quarto-float quarto-float-tbl"})
end

local function callout(div, kind)
  for k, _ in pairs(div.attributes) do
    if k ~= "title" then refuse(".callout-" .. kind, "callout attribute '" .. k .. "'") end
  end
  local content = pandoc.Blocks(div.content)
  local title = div.attributes.title and pandoc.Inlines(div.attributes.title)
  if not title and content[1] and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  end
  title = title or pandoc.Inlines(CALLOUTS[kind])
  if FORMAT == "typst" then
    local out = pandoc.Blocks {pandoc.RawBlock("typst", string.format(
      '#block(width: 100%%, inset: 8pt, fill: rgb("%s").lighten(90%%), ' ..
      'stroke: (left: 3pt + rgb("%s")))[', COLOURS[kind], COLOURS[kind])),
      pandoc.Para {pandoc.Strong(title)}}
    out:extend(content)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end
  local head = pandoc.Div({pandoc.Plain {pandoc.Strong(title)}}, {class = "callout-title"})
  return pandoc.Div({head, pandoc.Div(content, {class = "callout-body"})},
    {class = "callout callout-" .. kind, ["custom-style"] = "Callout " .. CALLOUTS[kind]})
end

local function pagebreak()
  if FORMAT == "typst" then return pandoc.RawBlock("typst", "#pagebreak()") end
  if FORMAT == "docx" then
    return pandoc.RawBlock("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
  end
  return pandoc.RawBlock("html", '<div class="page-break" style="page-break-after: always;">'
    .. '</div>')
end

local function check_classes(el, what)
  local on = (what == "image" and " on an " or " on a ") .. what
  for _, class in ipairs(el.classes) do
    local bad = refused[class]
    for _, prefix in ipairs(prefixes) do
      if class:sub(1, #prefix) == prefix then bad = true end
    end
    if bad and not (what == "div" and CALLOUTS[class:match("^callout%-(.*)$") or ""]) then
      refuse("." .. class, "the class ." .. class .. on)
    end
  end
  local float = what == "div" and (kind_of(el.identifier) == "fig"
    or kind_of(el.identifier) == "tbl")
  for k, _ in pairs(el.attributes) do
    local layout = k == "layout-ncol" or k == "layout-nrow"
    local quarto = k:match("^layout") or k:match("^fig%-") or k:match("^tbl%-")
    if (float and not (layout and kind_of(el.identifier) == "fig"))
        or (quarto and not (what == "image" and k == "fig-alt")
            and not (float and layout)) then
      refuse(k, "the attribute " .. k .. on)
    end
  end
end

local function crossref(cite)
  local ids, crossrefs = {}, 0
  for _, c in ipairs(cite.citations) do
    table.insert(ids, c.id)
    if kind_of(c.id) then crossrefs = crossrefs + 1 end
  end
  if crossrefs == 0 then
    if not has_bibliography then
      refuse("@" .. ids[1], "the citation @" .. ids[1] .. " without a bibliography")
    end
    return nil
  end
  local c = cite.citations[1]
  if #cite.citations > 1 then refuse("@" .. c.id, "several references in one [@...; @...]") end
  if #c.prefix > 0 or #c.suffix > 0 then
    refuse("@" .. c.id, "a prefix or suffix in a cross-reference [... @" .. c.id .. " ...]")
  end
  local text = numbers[c.id]
  if text == false then
    refuse("@" .. c.id, "@sec- references without number-sections: true")
  end
  if not text then refuse("@" .. c.id, "unresolved cross-reference @" .. c.id) end
  if c.mode == "SuppressAuthor" then text = text:match("^%S+ (.*)$") end
  return pandoc.Link(text, "#" .. c.id)
end

function Pandoc(doc)
  for class in stringify(doc.meta["qmdrender-refused"] or ""):gmatch("[^,]+") do
    refused[class] = true
  end
  for prefix in stringify(doc.meta["qmdrender-refused-prefixes"] or ""):gmatch("[^,]+") do
    table.insert(prefixes, prefix)
  end
  number_sections = doc.meta["number-sections"] == true
  has_bibliography = doc.meta.bibliography ~= nil
  doc = count(doc)
  doc = doc:walk {
    Div = function(div) check_classes(div, "div") end,
    Span = function(span) check_classes(span, "span") end,
    Image = function(img)
      check_classes(img, "image")
      if img.attributes["fig-alt"] then
        img.caption = pandoc.Inlines(img.attributes["fig-alt"])
        img.attributes["fig-alt"] = nil
        return img
      end
    end,
    Cite = crossref,
    Inlines = function(inlines)
      local out = pandoc.Inlines {}
      local skip = 0
      for i, el in ipairs(inlines) do
        if i <= skip then goto continue end
        if el.t == "Math" and el.mathtype == "DisplayMath" then
          local id, j = equation_id(inlines, i)
          if id then
            local number = numbers[id]:match("(%d+)$")
            el.text = el.text .. " \\qquad (" .. number .. ")"
            out:insert(pandoc.Span({el}, {id = id, class = "quarto-equation"}))
            skip = j
            goto continue
          end
        end
        out:insert(el)
        ::continue::
      end
      return out
    end,
    Header = function(h)
      check_classes(h, "heading")
      local number = h.attributes["number"]
      if number then
        h.attributes["number"] = nil
        h.content:insert(1, pandoc.Space())
        h.content:insert(1, pandoc.Span({pandoc.Str(number)}, {class = "header-section-number"}))
        return h
      end
    end,
  }
  doc = doc:walk {
    traverse = "topdown",
    Div = function(div)
      local kind = kind_of(div.identifier)
      if div.classes:includes("qmdrender-pagebreak") then return pagebreak(), false end
      for _, class in ipairs(div.classes) do
        local callout_kind = class:match("^callout%-(.*)$")
        if CALLOUTS[callout_kind] and not div.classes:includes("callout") then
          return callout(div, callout_kind)
        end
      end
      if kind == "fig" then return figure(div), false end
      if kind == "tbl" then
        local content, caption = float_parts(div)
        return table_float(div.identifier, content, caption), false
      end
    end,
    Figure = function(fig)
      if kind_of(fig.identifier) == "fig" then return figure(fig), false end
    end,
    Table = function(tbl)
      local id = table_id(tbl)
      if not id then return end
      local caption = pandoc.utils.blocks_to_inlines(tbl.caption.long)
      if id ~= tbl.identifier then
        caption:remove(#caption)
        if caption[#caption] and caption[#caption].t == "Space" then caption:remove(#caption) end
      end
      tbl.identifier = ""
      tbl.caption = pandoc.Caption()
      return table_float(id, {tbl}, caption), false
    end,
  }
  return doc
end
