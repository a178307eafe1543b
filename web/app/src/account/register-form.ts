import { el } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';
import type { Me, NewBox } from './account-api.ts';
import { positionPicker } from './position-picker.ts';

/** The form that registers a box: id (or one made up), name, position, indoor, visibility. */
export function registerForm(
  i18n: I18n,
  me: Me,
  mapStyleUrl: string | null,
  submit: (box: NewBox) => Promise<void>,
) {
  const picker = positionPicker(i18n, mapStyleUrl);
  const text = (name: string, label: string, required: boolean, hint?: string) =>
    el(
      'label',
      {},
      `${label} `,
      el('input', {
        attrs: {
          name,
          type: 'text',
          maxlength: '80',
          'data-testid': name,
          ...(required ? { required: '' } : {}),
        },
      }),
      hint === undefined ? null : el('span', { class: 'hint' }, ` ${hint}`),
    );
  const check = (name: string, label: string) =>
    el(
      'label',
      {},
      el('input', { attrs: { name, type: 'checkbox', 'data-testid': name } }),
      ` ${label}`,
    );
  const owners = me.organisations.filter((o) => o.role !== 'viewer');
  const form = el(
    'form',
    { class: 'card register', attrs: { 'data-testid': 'register' } },
    text('deviceId', i18n.t('boxId'), false, i18n.t('boxIdHint')),
    text('name', i18n.t('boxName'), true),
    picker.element,
    check('indoor', i18n.t('indoorBox')),
    el(
      'label',
      {},
      `${i18n.t('visibility')} `,
      el(
        'select',
        { attrs: { name: 'visibility', 'data-testid': 'visibility' } },
        el('option', { attrs: { value: 'public' } }, i18n.t('public')),
        el('option', { attrs: { value: 'private' } }, i18n.t('private')),
      ),
    ),
    check('exactPosition', i18n.t('exactPosition')),
    owners.length === 0
      ? null
      : el(
          'label',
          {},
          `${i18n.t('owner')} `,
          el(
            'select',
            { attrs: { name: 'orgId' } },
            el('option', { attrs: { value: '' } }, i18n.t('ownerMe')),
            ...owners.map((o) => el('option', { attrs: { value: o.id } }, o.name)),
          ),
        ),
    el(
      'button',
      { attrs: { type: 'submit', 'data-testid': 'register-submit' } },
      i18n.t('registerBox'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(readBox(form));
  });
  return { form, picker };
}

function readBox(form: HTMLFormElement): NewBox {
  const data = new FormData(form);
  const text = (name: string) => {
    const v = data.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const deviceId = text('deviceId');
  const orgId = text('orgId');
  return {
    ...(deviceId === '' ? {} : { deviceId }),
    name: text('name'),
    lat: Number(text('lat')),
    lon: Number(text('lon')),
    indoor: data.get('indoor') !== null,
    visibility: text('visibility') === 'private' ? 'private' : 'public',
    exactPosition: data.get('exactPosition') !== null,
    ...(orgId === '' ? {} : { orgId }),
  };
}
