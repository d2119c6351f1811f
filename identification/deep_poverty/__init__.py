"""深度贫困 (seed 002 四(四) 深度贫困人口识别; 二: "建立1.37万深度贫困人口档案").

"在贫困识别的基础上,各乡(镇)、村、组要找准家庭收入最低、生活最困难、条件最艰苦的深度贫困农户,建立深度贫困人口档案,
确保深度贫困人口得到农村低保的优先覆盖,扶贫政策的优先扶持。"

Readings (identification/README.md, 深度贫困):
- "在贫困识别的基础上": the candidates are the households on the open 扶贫 roll;
- "家庭收入最低": a county-set ceiling on 年人均纯收入 (the latest income record up to the round's income year)
  is a condition, and the lowest income ranks first among equal scores;
- "生活最困难、条件最艰苦": county-weighted hardships (无劳动力, 大病/重残, 危房, 饮水困难), summed into a score;
- the ranking is the county's (its target, seed 002's 1.37万人, is a county figure): every 乡/村/组 sees its own
  households with their county rank and whether they fall within the target;
- the county 扶贫办 confirms the list (audited); confirming sets `Household.deep_poverty` (the 户卡 flag) to the
  list, and clears it from households no longer on it.

Modules: `models` (criteria, confirmed lists), `ranking` (one set-based SQL ranking), `services` (set the
criteria, confirm), `views` and `forms`.
"""
